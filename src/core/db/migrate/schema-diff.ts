import { isDeepStrictEqual } from 'node:util';

/** The part of a drizzle-kit PostgreSQL snapshot that the diff reads. */
export interface Snapshot {
  id: string;
  prevId: string;
  tables: Record<string, TableSnapshot>;
  [collection: string]: unknown;
}

interface TableSnapshot {
  name: string;
  columns: Record<string, Record<string, unknown>>;
  [part: string]: unknown;
}

const TOP_LEVEL = ['enums', 'schemas', 'sequences', 'views', 'roles', 'policies'] as const;
const TABLE_PARTS = {
  indexes: 'index',
  foreignKeys: 'foreign key',
  compositePrimaryKeys: 'primary key',
  uniqueConstraints: 'unique constraint',
  checkConstraints: 'check constraint',
  policies: 'policy',
} as const;
const COLUMN_PROPS = ['type', 'primaryKey', 'notNull', 'default', 'identity', 'generated', 'typeSchema'];

function keys(a: object | undefined, b: object | undefined) {
  const before = new Set(Object.keys(a ?? {}));
  const after = new Set(Object.keys(b ?? {}));
  return {
    added: [...after].filter((k) => !before.has(k)).sort(),
    removed: [...before].filter((k) => !after.has(k)).sort(),
    kept: [...after].filter((k) => before.has(k)).sort(),
  };
}

const tableLabel = (key: string) => key.replace(/^public\./, '');
const show = (value: unknown) => (value === undefined ? 'none' : JSON.stringify(value));

/**
 * Lists, in words, how the schema `to` differs from `from`: tables, columns (with what changed
 * in them), indexes, keys, constraints, enums. Empty when they agree.
 *
 * @example
 *   describeDiff(lastMigrationSnapshot, currentSnapshot)
 *   // ['column "polls_question.slug" is in the models but in no migration']
 */
export function describeDiff(from: Snapshot, to: Snapshot): string[] {
  const lines: string[] = [];
  const tables = keys(from.tables, to.tables);
  for (const t of tables.added) lines.push(`table "${tableLabel(t)}" is in the models but in no migration`);
  for (const t of tables.removed)
    lines.push(`table "${tableLabel(t)}" is in the migrations but no longer in the models`);
  for (const t of tables.kept) lines.push(...describeTable(tableLabel(t), from.tables[t]!, to.tables[t]!));

  for (const collection of TOP_LEVEL) {
    const a = (from[collection] ?? {}) as Record<string, unknown>;
    const b = (to[collection] ?? {}) as Record<string, unknown>;
    const k = keys(a, b);
    const kind = collection.replace(/s$/, '');
    for (const name of k.added) lines.push(`${kind} "${name}" is in the models but in no migration`);
    for (const name of k.removed)
      lines.push(`${kind} "${name}" is in the migrations but no longer in the models`);
    for (const name of k.kept)
      if (!isDeepStrictEqual(a[name], b[name])) lines.push(`${kind} "${name}" differs from the migrations`);
  }
  return lines;
}

function describeTable(table: string, a: TableSnapshot, b: TableSnapshot): string[] {
  const lines: string[] = [];
  const columns = keys(a.columns, b.columns);
  for (const c of columns.added) lines.push(`column "${table}.${c}" is in the models but in no migration`);
  for (const c of columns.removed)
    lines.push(`column "${table}.${c}" is in the migrations but no longer in the models`);
  for (const c of columns.kept) {
    const changes = COLUMN_PROPS.filter((p) => !isDeepStrictEqual(a.columns[c]![p], b.columns[c]![p])).map(
      (p) => `${p} ${show(a.columns[c]![p])} → ${show(b.columns[c]![p])}`,
    );
    if (changes.length > 0) lines.push(`column "${table}.${c}" changed: ${changes.join(', ')}`);
  }
  for (const [part, kind] of Object.entries(TABLE_PARTS)) {
    const pa = (a[part] ?? {}) as Record<string, unknown>;
    const pb = (b[part] ?? {}) as Record<string, unknown>;
    const k = keys(pa, pb);
    for (const n of k.added) lines.push(`${kind} "${n}" on "${table}" is in the models but in no migration`);
    for (const n of k.removed)
      lines.push(`${kind} "${n}" on "${table}" is in the migrations but no longer in the models`);
    for (const n of k.kept)
      if (!isDeepStrictEqual(pa[n], pb[n])) lines.push(`${kind} "${n}" on "${table}" changed`);
  }
  if (Boolean(a['isRLSEnabled']) !== Boolean(b['isRLSEnabled']))
    lines.push(`row-level security on "${table}" changed`);
  return lines;
}

/**
 * Changes that drizzle-kit would have to ask about: something removed and something added in the
 * same place may be a rename. We never prompt, so these must be written by hand.
 */
export function ambiguousRenames(from: Snapshot, to: Snapshot): string[] {
  const out: string[] = [];
  const tables = keys(from.tables, to.tables);
  if (tables.added.length > 0 && tables.removed.length > 0)
    out.push(
      `tables ${tables.removed.map(tableLabel).join(', ')} removed and ${tables.added.map(tableLabel).join(', ')} added`,
    );
  for (const t of tables.kept) {
    const c = keys(from.tables[t]!.columns, to.tables[t]!.columns);
    if (c.added.length > 0 && c.removed.length > 0)
      out.push(
        `table "${tableLabel(t)}": column ${c.removed.join(', ')} removed and ${c.added.join(', ')} added`,
      );
  }
  for (const collection of ['enums', 'schemas', 'sequences', 'views', 'roles', 'policies']) {
    const k = keys(from[collection] as object, to[collection] as object);
    if (k.added.length > 0 && k.removed.length > 0)
      out.push(`${collection} ${k.removed.join(', ')} removed and ${k.added.join(', ')} added`);
  }
  return out;
}
