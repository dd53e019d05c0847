import type { FastifyRequest } from 'fastify';

/** The changelist's query string, carried through the add/change/delete pages (Django's name). */
export const CHANGELIST_FILTERS = '_changelist_filters';

/** The request's query parameters, in the order given. */
export function queryOf(request: FastifyRequest): URLSearchParams {
  const at = request.url.indexOf('?');
  return new URLSearchParams(at === -1 ? '' : request.url.slice(at + 1));
}

/**
 * A query string (with its `?`, or '' when empty) from `params` with `changes` applied: a string
 * sets a parameter, null removes it.
 *
 * @example
 *   withParams(new URLSearchParams('q=a&p=3'), { p: null, o: '-pubDate' }) // '?q=a&o=-pubDate'
 */
export function withParams(
  params: URLSearchParams,
  changes: Readonly<Record<string, string | null>>,
): string {
  const next = new URLSearchParams(params);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) next.delete(key);
    else next.set(key, value);
  }
  const text = next.toString();
  return text ? `?${text}` : '';
}

/** `?_changelist_filters=…` for links from a changelist to its objects (empty when unfiltered). */
export function preserveFilters(filters: string, extra = ''): string {
  const parts = [filters ? `${CHANGELIST_FILTERS}=${encodeURIComponent(filters)}` : '', extra].filter(
    Boolean,
  );
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** The changelist query carried by a form or link, kept only if it is a plain query string. */
export function carriedFilters(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2000) return '';
  return new URLSearchParams(value).toString();
}

/**
 * A `?next=` target honoured only when it is a path on this site: `/admin/x` yes,
 * `//evil.example`, `https://…` or `/\evil` no.
 */
export function safeNext(value: unknown, fallback = '/admin/'): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//')) return fallback;
  if (/[\\\s]/.test(value.slice(0, 3)) || /[\r\n]/.test(value) || value.length > 2000) return fallback;
  return value;
}
