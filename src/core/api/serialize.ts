import { asc } from 'drizzle-orm';
import type { AuthUser } from '../auth/request-user.js';
import { anyOf } from '../db/any-of.js';
import type { AppDb } from '../db/database.js';
import { childPerms as inlinePerms } from '../models/children.js';
import type { FieldMeta } from '../models/fields.js';
import type { Row } from '../models/model.js';
import type { ApiResource } from './resource.js';

/** A column's value in JSON: instants in ISO 8601 (UTC), dates as YYYY-MM-DD, big integers as text. */
export function jsonValue(field: FieldMeta, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date)
    return field.kind === 'date' ? value.toISOString().slice(0, 10) : value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  return value;
}

function group(rows: Row[], key: string): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const row of rows) {
    const k = String(row[key]);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}

/**
 * Rows as the API shows them: every column but the excluded ones, the ids of many-to-many links,
 * and the children of each inline the user may view (as in the admin, the child model's own
 * permission decides). One query per many-to-many field and per inline, whatever the rows.
 *
 * @example
 *   await serializeRows(db, questions, user, [row]) // [{ id: 1, questionText: 'What?', …, choices: [...] }]
 */
export async function serializeRows(
  db: AppDb,
  resource: ApiResource,
  user: AuthUser,
  rows: readonly Row[],
): Promise<Record<string, unknown>[]> {
  const pkKey = resource.reg.pk.key;
  const pks = rows.map((r) => r[pkKey]);
  const links = new Map<string, Map<string, Row[]>>();
  for (const m of resource.manyToMany) {
    const found =
      pks.length === 0
        ? []
        : ((await db.select().from(m.through).where(anyOf(m.ownField.column, pks))) as Row[]);
    links.set(m.key, group(found, m.ownField.key));
  }
  const children = new Map<string, Map<string, Row[]>>();
  for (const c of resource.children) {
    const perms = inlinePerms(user, c.inline);
    if (!perms.view && !perms.add) continue;
    const found =
      pks.length === 0
        ? []
        : ((await db
            .select()
            .from(c.inline.meta.table)
            .where(anyOf(c.inline.fk.column, pks))
            .orderBy(asc(c.inline.meta.pk!.column))) as Row[]);
    children.set(c.key, group(found, c.inline.fk.key));
  }
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const f of resource.fields) out[f.key] = jsonValue(f, row[f.key]);
    const pk = String(row[pkKey]);
    for (const m of resource.manyToMany)
      out[m.key] = (links.get(m.key)?.get(pk) ?? []).map((l) => l[m.otherField.key]);
    for (const c of resource.children) {
      const mine = children.get(c.key);
      if (!mine) continue;
      out[c.key] = (mine.get(pk) ?? []).map((child) =>
        Object.fromEntries(c.fields.map((f) => [f.key, jsonValue(f, child[f.key])])),
      );
    }
    return out;
  });
}
