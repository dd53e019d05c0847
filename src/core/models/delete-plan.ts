import { inArray } from 'drizzle-orm';
import type { AuthUser } from '../auth/request-user.js';
import type { AppDb } from '../db/database.js';
import { describeTable, type ForeignKeyMeta, type TableMeta } from './fields.js';
import type { Model, ModelIndex, Row } from './model.js';
import { reprOf } from './objects.js';
import { modelPerms } from './permissions.js';

/** One object in the cascade tree: "Choice: Yes", with what deleting it deletes in turn. */
export interface DeleteNode {
  readonly model: string;
  readonly repr: string;
  /** Where the object is shown (the admin's change page), when the index says ({@link ModelIndex.objectUrl}). */
  readonly url?: string;
  readonly children: DeleteNode[];
}

/** What deleting some objects does, computed from every installed table's foreign keys. */
export interface DeletePlan {
  /** The objects and, nested, everything their deletion cascades to. */
  readonly tree: DeleteNode[];
  /** Objects kept but changed: their foreign key is set to NULL or its default. */
  readonly updated: DeleteNode[];
  /** Objects whose foreign key (RESTRICT / NO ACTION) forbids the deletion. */
  readonly protected: DeleteNode[];
  /** Count of deleted objects per model label, e.g. `{ Questions: 1, Choices: 3 }`. */
  readonly summary: Map<string, number>;
  /** Registered models among the cascade that the user may not delete. */
  readonly missingPerms: string[];
  /** True when the tree was cut short (more than `limit` objects); the counts stay exact. */
  readonly truncated: boolean;
}

interface Referrer {
  readonly meta: TableMeta;
  readonly fk: ForeignKeyMeta;
  readonly model: string;
}

/** Nodes shown in the tree at most; beyond this only the summary counts grow. */
const SHOWN = 1000;
const CHUNK = 1000;

/**
 * Collects what deleting `rows` of `reg` would do (Django's Collector): follows every foreign key
 * pointing at them, recursively for ON DELETE CASCADE, listing SET NULL/SET DEFAULT rows as
 * updated and RESTRICT/NO ACTION rows as protected.
 */
export async function planDelete(
  db: AppDb,
  index: ModelIndex,
  user: AuthUser,
  reg: Model,
  rows: readonly Row[],
): Promise<DeletePlan> {
  const referrers = new Map<PgTableKey, Referrer[]>();
  for (const t of index.tables) {
    const meta = describeTable(t.table);
    for (const fk of meta.foreignKeys) {
      const list = referrers.get(fk.foreignTable) ?? [];
      list.push({ meta, fk, model: t.model });
      referrers.set(fk.foreignTable, list);
    }
  }
  const summary = new Map<string, number>();
  const updated: DeleteNode[] = [];
  const protectedNodes: { id: string; node: DeleteNode }[] = [];
  const missing = new Set<string>();
  const visited = new Set<string>();
  let shown = 0;
  let truncated = false;

  const nodeOf = (meta: TableMeta, row: Row): DeleteNode => {
    const r = index.forTable(meta.table);
    const owner = index.tables.find((t) => t.table === meta.table);
    const label = r?.label ?? humanModel(owner?.model ?? meta.tableName);
    const pk = meta.pk ? row[meta.pk.key] : undefined;
    const url = r && pk !== undefined ? index.objectUrl?.(r, pk) : undefined;
    return { model: label, repr: reprOf(index, meta, row), ...(url ? { url } : {}), children: [] };
  };
  const count = (meta: TableMeta) => {
    const r = index.forTable(meta.table);
    const owner = index.tables.find((t) => t.table === meta.table);
    const label = r?.labelPlural ?? humanModel(owner?.model ?? meta.tableName);
    summary.set(label, (summary.get(label) ?? 0) + 1);
    if (r && !modelPerms(user, r).delete) missing.add(r.labelPlural);
  };
  const identity = (meta: TableMeta, row: Row) =>
    `${meta.tableName}:${meta.pk ? String(row[meta.pk.key]) : JSON.stringify(row)}`;

  // Breadth-first, one query per (level, referencing foreign key), chunked.
  let level: { meta: TableMeta; rows: Row[]; nodes: DeleteNode[] }[] = [];
  const tree: DeleteNode[] = [];
  const rootMeta = reg.meta;
  const rootNodes = rows.map((row) => {
    visited.add(identity(rootMeta, row));
    count(rootMeta);
    shown++;
    return nodeOf(rootMeta, row);
  });
  tree.push(...rootNodes);
  level.push({ meta: rootMeta, rows: [...rows], nodes: rootNodes });
  while (level.length > 0) {
    const next: typeof level = [];
    for (const { meta, rows: parents, nodes } of level) {
      for (const ref of referrers.get(meta.table) ?? []) {
        const parentKey = meta.fields.find((f) => f.column === ref.fk.foreignColumns[0])?.key;
        if (!parentKey || ref.fk.keys.length !== 1) continue;
        const values = [
          ...new Set(parents.map((p) => p[parentKey]).filter((v) => v !== null && v !== undefined)),
        ];
        const childKey = ref.fk.keys[0]!;
        const column = ref.meta.field(childKey)!.column;
        const found: Row[] = [];
        for (let i = 0; i < values.length; i += CHUNK)
          found.push(
            ...((await db
              .select()
              .from(ref.meta.table)
              .where(inArray(column, values.slice(i, i + CHUNK) as never[]))) as Row[]),
          );
        const parentAt = new Map(parents.map((p, i) => [String(p[parentKey]), i]));
        const cascadeRows: Row[] = [];
        const cascadeNodes: DeleteNode[] = [];
        for (const child of found) {
          const parentNode = nodes[parentAt.get(String(child[childKey])) ?? -1];
          if (ref.fk.onDelete === 'cascade') {
            const id = identity(ref.meta, child);
            if (visited.has(id)) continue;
            visited.add(id);
            count(ref.meta);
            const node = nodeOf(ref.meta, child);
            if (shown < SHOWN && parentNode) {
              parentNode.children.push(node);
              shown++;
            } else truncated = true;
            cascadeRows.push(child);
            cascadeNodes.push(node);
          } else if (ref.fk.onDelete === 'set null' || ref.fk.onDelete === 'set default') {
            if (updated.length < SHOWN) updated.push(nodeOf(ref.meta, child));
            else truncated = true;
          } else if (protectedNodes.length < SHOWN) {
            protectedNodes.push({ id: identity(ref.meta, child), node: nodeOf(ref.meta, child) });
          } else truncated = true;
        }
        if (cascadeRows.length > 0) next.push({ meta: ref.meta, rows: cascadeRows, nodes: cascadeNodes });
      }
    }
    level = next;
  }
  // A protected row that is itself deleted by the cascade does not block anything.
  const stillProtected = protectedNodes.filter((p) => !visited.has(p.id)).map((p) => p.node);
  return { tree, updated, protected: stillProtected, summary, missingPerms: [...missing], truncated };
}

type PgTableKey = Parameters<typeof describeTable>[0];

function humanModel(model: string): string {
  const words = model.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
