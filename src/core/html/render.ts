import type { JSX } from 'hono/jsx/jsx-runtime';

/**
 * Pages are JSX rendered by hono's `hono/jsx`, used only as a string renderer: text and attribute
 * values are escaped unless wrapped in hono's `raw()` (for constant markup of ours, never user
 * input), tags and attributes are type-checked, and Biome formats the templates. Components are
 * plain synchronous functions of typed view models; an async component would make rendering
 * return a promise, which {@link renderToString} refuses.
 *
 * @example
 *   renderPage(<Layout title={question.text}><h1>{question.text}</h1></Layout>)
 *   // '<!doctype html>\n<html lang="en">…<h1>&lt;b&gt;…</h1>…'
 */
export function renderToString(node: JSX.Element): string {
  const out: unknown = node.toString();
  if (out instanceof Promise) throw new TypeError('renderToString: a component returned a promise');
  return String(out).replace(VOID_ELEMENT_END, '$1>').replace(BOOLEAN_ATTRIBUTE, ' $1');
}

/*
 * hono writes XHTML-style `<input …/>` and `required=""`; a browser serializes the same DOM as
 * `<input …>` and `required`, which is what Slipway's pages have always sent. Both patterns can
 * only match inside a tag: escaped text and attribute values never hold a raw `<`, `>` or `"`.
 * Only void elements lose their slash.
 */
const VOID_ELEMENT_END = /(<(?:area|base|br|col|embed|hr|img|input|link|meta|source|track|wbr)\b[^<>]*?)\/>/g;
const BOOLEAN_ATTRIBUTE =
  / (allowfullscreen|async|autofocus|autoplay|checked|controls|default|defer|disabled|formnovalidate|hidden|inert|ismap|itemscope|loop|multiple|muted|nomodule|novalidate|open|playsinline|readonly|required|reversed|selected)=""/g;

/** A whole document: the doctype, then `node` (an `<html>` element). */
export function renderPage(node: JSX.Element): string {
  return `<!doctype html>\n${renderToString(node)}\n`;
}
