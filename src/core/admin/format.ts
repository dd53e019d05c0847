/**
 * Dates are shown and typed in this zone. Slipway has no TIME_ZONE setting yet, so the admin says
 * which zone it means next to every date and time.
 */
export const ADMIN_TIME_ZONE = 'UTC';

/** `2026-03-01 14:05` in {@link ADMIN_TIME_ZONE}. */
export function formatDateTime(value: Date): string {
  return `${value.toISOString().slice(0, 16).replace('T', ' ')} ${ADMIN_TIME_ZONE}`;
}

/**
 * The value of an `<input type="datetime-local">` for a stored instant: minutes, seconds when
 * there are any, milliseconds when there are any (so an instant written through the API with
 * milliseconds survives a save of the admin form unchanged).
 */
export function toDateTimeLocal(value: Date): string {
  const iso = value.toISOString();
  if (iso.endsWith(':00.000Z')) return iso.slice(0, 16);
  return iso.endsWith('.000Z') ? iso.slice(0, 19) : iso.slice(0, 23);
}

/** The value of an `<input type="date">`. */
export function toDateInput(value: unknown): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return typeof value === 'string' ? value.slice(0, 10) : '';
}

/** A value as plain text for lists, read-only fields and history. Empty values show as a dash. */
export function displayValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (value instanceof Date) return formatDateTime(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Truncates to `max` characters (object_repr is varchar(200)). */
export function truncate(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}
