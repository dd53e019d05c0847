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
 * One difference between two snapshots: `subject` is what differs (`column "t.c"`), `kind`
 * whether it was added, removed or changed (with `detail` saying how, when known).
 */
export interface SchemaChange {
  readonly subject: string;
  readonly kind: 'added' | 'removed' | 'changed';
  readonly detail?: string;
  /** An enum, schema, sequence, view, role or policy: not part of a table. */
  readonly topLevel?: boolean;
}

/**
 * How the schema `to` differs from `from`: tables, columns (with what changed in them),
 * indexes, keys, constraints, enums. Empty when they agree.
 */
export function diffSchemas(from: Snapshot, to: Snapshot): SchemaChange[] {
  const out: SchemaChange[] = [];
  const tables = keys(from.tables, to.tables);
  for (const t of tables.added) out.push({ subject: `table "${tableLabel(t)}"`, kind: 'added' });
  for (const t of tables.removed) out.push({ subject: `table "${tableLabel(t)}"`, kind: 'removed' });
  for (const t of tables.kept) out.push(...diffTable(tableLabel(t), from.tables[t]!, to.tables[t]!));

  for (const collection of TOP_LEVEL) {
    const a = (from[collection] ?? {}) as Record<string, unknown>;
    const b = (to[collection] ?? {}) as Record<string, unknown>;
    const k = keys(a, b);
    const kind = collection.replace(/s$/, '');
    for (const name of k.added) out.push({ subject: `${kind} "${name}"`, kind: 'added' });
    for (const name of k.removed) out.push({ subject: `${kind} "${name}"`, kind: 'removed' });
    for (const name of k.kept)
      if (!isDeepStrictEqual(a[name], b[name]))
        out.push({ subject: `${kind} "${name}"`, kind: 'changed', topLevel: true });
  }
  return out;
}

/**
 * Lists, in `slipway check`'s words, how the models (`to`) differ from the migrations (`from`).
 *
 * @example
 *   describeDiff(lastMigrationSnapshot, currentSnapshot)
 *   // ['column "polls_question.slug" is in the models but in no migration']
 */
export function describeDiff(from: Snapshot, to: Snapshot): string[] {
  return diffSchemas(from, to).map(({ subject, kind, detail, topLevel }) => {
    if (kind === 'added') return `${subject} is in the models but in no migration`;
    if (kind === 'removed') return `${subject} is in the migrations but no longer in the models`;
    if (detail) return `${subject} changed: ${detail}`;
    return topLevel ? `${subject} differs from the migrations` : `${subject} changed`;
  });
}

/**
 * Lists, as what a migration does, the changes from `from` to `to`: what `makemigrations` prints
 * under the file it wrote.
 *
 * @example
 *   describeChanges(previous, current) // ['Add column "polls_question.slug"']
 */
export function describeChanges(from: Snapshot, to: Snapshot): string[] {
  const verbs = { added: 'Add', removed: 'Drop', changed: 'Alter' } as const;
  return diffSchemas(from, to).map(
    ({ subject, kind, detail }) => `${verbs[kind]} ${subject}${detail ? `: ${detail}` : ''}`,
  );
}

function diffTable(table: string, a: TableSnapshot, b: TableSnapshot): SchemaChange[] {
  const out: SchemaChange[] = [];
  const columns = keys(a.columns, b.columns);
  for (const c of columns.added) out.push({ subject: `column "${table}.${c}"`, kind: 'added' });
  for (const c of columns.removed) out.push({ subject: `column "${table}.${c}"`, kind: 'removed' });
  for (const c of columns.kept) {
    const changes = COLUMN_PROPS.filter((p) => !isDeepStrictEqual(a.columns[c]![p], b.columns[c]![p])).map(
      (p) => `${p} ${show(a.columns[c]![p])} → ${show(b.columns[c]![p])}`,
    );
    if (changes.length > 0)
      out.push({ subject: `column "${table}.${c}"`, kind: 'changed', detail: changes.join(', ') });
  }
  for (const [part, kind] of Object.entries(TABLE_PARTS)) {
    const pa = (a[part] ?? {}) as Record<string, unknown>;
    const pb = (b[part] ?? {}) as Record<string, unknown>;
    const k = keys(pa, pb);
    for (const n of k.added) out.push({ subject: `${kind} "${n}" on "${table}"`, kind: 'added' });
    for (const n of k.removed) out.push({ subject: `${kind} "${n}" on "${table}"`, kind: 'removed' });
    for (const n of k.kept)
      if (!isDeepStrictEqual(pa[n], pb[n]))
        out.push({ subject: `${kind} "${n}" on "${table}"`, kind: 'changed' });
  }
  if (Boolean(a['isRLSEnabled']) !== Boolean(b['isRLSEnabled']))
    out.push({ subject: `row-level security on "${table}"`, kind: 'changed' });
  return out;
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
