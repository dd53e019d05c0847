import { getTableColumns, getTableName } from 'drizzle-orm';
import { getTableConfig, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import { humanize } from '../text.js';

/** How a column is shown and edited in forms, chosen from its database type. */
export type FieldKind =
  | 'text'
  | 'longtext'
  | 'integer'
  | 'decimal'
  | 'float'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'enum'
  | 'json'
  | 'other';

export interface FieldMeta {
  /** The property name in the Drizzle table (`questionText`): the name used in options and forms. */
  readonly key: string;
  /** The SQL column name (`question_text`). */
  readonly name: string;
  readonly column: PgColumn;
  readonly label: string;
  readonly kind: FieldKind;
  readonly notNull: boolean;
  readonly hasDefault: boolean;
  readonly primary: boolean;
  /** serial/identity columns: the database fills them in. */
  readonly generated: boolean;
  readonly maxLength?: number;
  readonly enumValues?: readonly string[];
  /** Set when the column is a single-column foreign key. */
  readonly references?: ForeignKeyMeta;
}

export interface ForeignKeyMeta {
  readonly name: string;
  /** The referencing columns' keys in this table. */
  readonly keys: readonly string[];
  readonly columns: readonly PgColumn[];
  readonly foreignTable: PgTable;
  readonly foreignColumns: readonly PgColumn[];
  /** 'cascade' | 'restrict' | 'no action' | 'set null' | 'set default' */
  readonly onDelete: string;
}

export interface TableMeta {
  readonly table: PgTable;
  readonly tableName: string;
  readonly fields: readonly FieldMeta[];
  /** The single-column primary key, or undefined (link tables with composite keys). */
  readonly pk: FieldMeta | undefined;
  readonly foreignKeys: readonly ForeignKeyMeta[];
  field(key: string): FieldMeta | undefined;
  /** The field of an SQL column name (for database errors, which name columns). */
  fieldByName(name: string): FieldMeta | undefined;
}

const cache = new WeakMap<PgTable, TableMeta>();

/**
 * Describes a Drizzle table for the model layer, the admin and the API: its fields with their
 * kinds (from the column's type), lengths, nullability, enum values, primary key and
 * foreign keys. Cached per table.
 *
 * @example
 *   describeTable(question).field('questionText') // { kind: 'text', maxLength: 200, … }
 */
export function describeTable(table: PgTable, labels: Record<string, string> = {}): TableMeta {
  const cached = cache.get(table);
  if (cached && Object.keys(labels).length === 0) return cached;
  const config = getTableConfig(table);
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const keyOf = new Map<PgColumn, string>(Object.entries(columns).map(([k, c]) => [c, k]));
  const byName = new Map<string, string>(Object.entries(columns).map(([k, c]) => [c.name, k]));
  const foreignKeys: ForeignKeyMeta[] = config.foreignKeys.map((fk) => {
    const ref = fk.reference();
    return {
      name: fk.getName(),
      keys: ref.columns.map((c) => keyOf.get(c as PgColumn) ?? byName.get(c.name) ?? c.name),
      columns: ref.columns as PgColumn[],
      foreignTable: ref.foreignTable,
      foreignColumns: ref.foreignColumns as PgColumn[],
      onDelete: fk.onDelete ?? 'no action',
    };
  });
  const composite = config.primaryKeys.length > 0;
  const fields = Object.entries(columns).map(([key, column]): FieldMeta => {
    const references = foreignKeys.find((fk) => fk.keys.length === 1 && fk.keys[0] === key);
    const maxLength = (column as unknown as { length?: number }).length;
    return {
      key,
      name: column.name,
      column,
      label: labels[key] ?? humanize(references ? key.replace(/Id$/, '') : key),
      kind: kindOf(column),
      notNull: column.notNull,
      hasDefault: column.hasDefault,
      primary: column.primary && !composite,
      generated: /Serial/.test(column.columnType) || column.generated !== undefined || isIdentity(column),
      ...(maxLength ? { maxLength } : {}),
      ...(column.enumValues?.length ? { enumValues: column.enumValues } : {}),
      ...(references ? { references } : {}),
    };
  });
  const meta: TableMeta = {
    table,
    tableName: getTableName(table),
    fields,
    pk: fields.find((f) => f.primary),
    foreignKeys,
    field: (key) => fields.find((f) => f.key === key),
    fieldByName: (name) => fields.find((f) => f.name === name),
  };
  if (Object.keys(labels).length === 0) cache.set(table, meta);
  return meta;
}

function isIdentity(column: PgColumn): boolean {
  return Boolean((column as unknown as { generatedIdentity?: unknown }).generatedIdentity);
}

function kindOf(column: PgColumn): FieldKind {
  if (column.enumValues?.length) return 'enum';
  switch (column.columnType) {
    case 'PgVarchar':
    case 'PgChar':
    case 'PgUUID':
    case 'PgCustomColumn':
      return 'text';
    case 'PgText':
      return 'longtext';
    case 'PgInteger':
    case 'PgSmallInt':
    case 'PgSerial':
    case 'PgSmallSerial':
    case 'PgBigInt53':
    case 'PgBigSerial53':
      return 'integer';
    case 'PgNumeric':
    case 'PgBigInt64':
      return 'decimal';
    case 'PgReal':
    case 'PgDoublePrecision':
      return 'float';
    case 'PgBoolean':
      return 'boolean';
    case 'PgDate':
    case 'PgDateString':
      return 'date';
    case 'PgTimestamp':
    case 'PgTimestampString':
      return 'datetime';
    case 'PgJson':
    case 'PgJsonb':
      return 'json';
    default:
      return 'other';
  }
}
