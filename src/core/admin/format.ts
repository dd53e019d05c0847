/**
 * Dates are shown and typed in this zone. Slipway has no TIME_ZONE setting yet, so the admin says
 * which zone it means next to every date and time.
 */
export const ADMIN_TIME_ZONE = 'UTC';

/** `questionText` or `question_text` → `Question text`. */
export function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A naive English plural, overridable per registration with `labelPlural`. */
export function pluralize(word: string): string {
  if (/[^aeiou]y$/i.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/i.test(word)) return `${word}es`;
  return `${word}s`;
}

/**
 * A model's name for `count` objects, in lower case: its label for one, its plural otherwise.
 *
 * @example
 *   modelNoun(questionsReg, 1) // 'question'
 *   modelNoun(questionsReg, 3) // 'questions'
 */
export function modelNoun(model: { label: string; labelPlural: string }, count: number): string {
  return (count === 1 ? model.label : model.labelPlural).toLowerCase();
}

/**
 * A noun with its indefinite article, by how it sounds: "an" before a vowel sound (not before the
 * "you" of "user" or the "w" of "one"), and before a silent h.
 *
 * @example
 *   withArticle('address')        // 'an address'
 *   withArticle('e-mail address') // 'an e-mail address'
 *   withArticle('user')           // 'a user'
 */
export function withArticle(noun: string): string {
  const vowel =
    /^[aeiou]/i.test(noun) && !/^(u[bcdfgklmnprstvz][aeiou]|uni|use|usu|eu|one\b|once)/i.test(noun);
  const silentH = /^(hour|honest|honou?r|heir)/i.test(noun);
  return `${vowel || silentH ? 'an' : 'a'} ${noun}`;
}

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
