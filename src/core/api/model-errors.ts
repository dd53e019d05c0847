import type { FieldError } from '../errors.js';
import type { ChildItem } from '../models/children.js';
import type { ModelError } from '../models/model.js';
import type { ApiResource } from './resource.js';

/**
 * The model layer's errors as the API's field list, grouped as a form would show them: the
 * object's fields by key (in the order first met), `null` for the object; then each nested
 * array's errors: the array's own under its key (`choices`), a listed child's under
 * `choices[1].choiceText` (or `choices[1]`), and a child deleted by leaving it out under the
 * array's key, naming its id.
 */
export function apiErrors(
  resource: ApiResource,
  errors: readonly ModelError[],
  items: ReadonlyMap<number, readonly ChildItem[]>,
  listed: ReadonlyMap<number, number>,
): FieldError[] {
  const own = new Map<string | null, string[]>();
  for (const e of errors) if (!e.child) own.set(e.field, [...(own.get(e.field) ?? []), e.message]);
  const out: FieldError[] = [];
  for (const [field, messages] of own) for (const message of messages) out.push({ field, message });
  const { inlines } = resource.reg;
  for (const [i, inline] of inlines.entries()) {
    const child = resource.children.find((c) => c.inline === inline);
    if (!child) continue;
    const mine = errors.filter((e) => e.child?.inline === i);
    for (const e of mine) if (e.child!.row === undefined) out.push({ field: child.key, message: e.message });
    const rows = [...new Set(mine.flatMap((e) => (e.child!.row === undefined ? [] : [e.child!.row])))].sort(
      (a, b) => a - b,
    );
    for (const row of rows) {
      const byField = new Map<string | null, string[]>();
      for (const e of mine)
        if (e.child!.row === row) byField.set(e.field, [...(byField.get(e.field) ?? []), e.message]);
      for (const [field, messages] of byField)
        for (const message of messages) {
          if (row < (listed.get(i) ?? 0))
            out.push({
              field: field === null ? `${child.key}[${row}]` : `${child.key}[${row}].${field}`,
              message,
            });
          else
            out.push({
              field: child.key,
              message: `${inline.label} with id ${items.get(i)?.[row]?.id ?? '?'}: ${message}`,
            });
        }
    }
  }
  return out;
}
