import type { Child } from 'hono/jsx';
import { Fragment, type JSX, jsx } from 'hono/jsx/jsx-runtime';

/**
 * Pages are JSX: `.tsx` files compiled with hono's JSX runtime (`hono/jsx`, as tsconfig.json
 * says), which builds a tree of elements and gives tags and attributes their types; this module
 * writes that tree as HTML, without hono's own `toString()` (which supports async components,
 * contexts and `<head>` hoisting, and costs 2–5× a template literal for it). Text and attribute
 * values are escaped unless wrapped in hono's `raw()` (from `hono/html`; for constant markup of
 * ours, never user input), the one way to insert markup. Components are plain synchronous
 * functions of typed view models; a component that returns a promise is refused.
 *
 * The output is what a browser serializes: void elements without a slash (`<input …>`) and
 * boolean attributes without a value (`required`). What this renderer refuses rather than writes
 * (a TypeError names it): a promise, a function or an object as an attribute value (no event
 * handlers nor inline styles: the Content-Security-Policy forbids them anyway),
 * `dangerouslySetInnerHTML` (use `raw()`), a context provider (hono's `createContext`: pass
 * values as props), and a child that is not text, a number, an element, `raw()` markup, an array
 * of them, or null, undefined or a boolean (which are left out).
 *
 * @example
 *   renderPage(<Layout title={question.text}><h1>{question.text}</h1></Layout>)
 *   // '<!doctype html>\n<html lang="en">…<h1>&lt;b&gt;…</h1>…'
 */
export function renderToString(node: JSX.Element | Child): string {
  return write(node);
}

/** A whole document: the doctype, then `node` (an `<html>` element). */
export function renderPage(node: JSX.Element): string {
  return `<!doctype html>\n${write(node)}\n`;
}

/** The shape of hono's elements (its `JSXNode`, which hono/jsx does not export). */
interface Element {
  readonly tag: string | ((props: Record<string, unknown>) => unknown);
  readonly props: Record<string, unknown>;
  readonly children: readonly unknown[];
}

/** hono's `raw()`: a String object marked as already escaped. */
interface Raw {
  toString(): string;
  readonly isEscaped?: boolean;
  readonly callbacks?: readonly unknown[];
}

function write(child: unknown): string {
  if (typeof child === 'string') return escapeHtml(child);
  if (child === null || child === undefined || typeof child === 'boolean') return '';
  if (typeof child === 'number') return String(child);
  if (Array.isArray(child)) {
    let out = '';
    for (const c of child) out += write(c);
    return out;
  }
  if (typeof child === 'object') {
    if (child instanceof String) return rawText(child as Raw) ?? escapeHtml(String(child));
    if ('tag' in child && 'props' in child && 'children' in child) return writeElement(child as Element);
    if (child instanceof Promise) throw new TypeError('renderToString: a component returned a promise');
  }
  throw new TypeError(`renderToString: cannot write ${describe(child)} as HTML`);
}

function writeElement(node: Element): string {
  const tag = node.tag;
  if (typeof tag === 'string')
    return tag === '' ? write(node.children) : writeTag(tag, node.props, node.children);
  // hono's runtime turns some tags into its own components (`<form>`, `<input>`, `<title>`, …: for
  // React 19's form actions and `<head>` hoisting) and wraps `<head>`'s children in a context:
  // here they are the plain elements they stand for.
  const intrinsic = INTRINSIC_COMPONENTS.get(tag);
  if (intrinsic !== undefined) return writeTag(intrinsic, node.props, node.children);
  if (tag === Fragment || tag === HEAD_CONTEXT) return write(node.children);
  if ('Provider' in tag)
    throw new TypeError('renderToString: contexts are not supported: pass what a component needs as props');
  return write(tag(node.props));
}

function writeTag(tag: string, props: Record<string, unknown>, children: readonly unknown[]): string {
  let out = `<${tag}`;
  for (const key in props) {
    const value = props[key];
    if (value === null || value === undefined || key === 'children') continue;
    const name = attributeName(key);
    if (name === undefined) continue;
    if (typeof value === 'string') out += ` ${name}="${escapeHtml(value)}"`;
    else if (typeof value === 'number') out += ` ${name}="${value}"`;
    else if (typeof value === 'boolean') {
      if (!BOOLEAN_ATTRIBUTES.has(name)) out += ` ${name}="${value}"`;
      else if (value) out += BARE_BOOLEAN_ATTRIBUTES.has(name) ? ` ${name}` : ` ${name}=""`;
    } else {
      const markup = value instanceof String ? rawText(value as Raw) : undefined;
      if (markup === undefined)
        throw new TypeError(
          name === 'dangerouslySetInnerHTML'
            ? `renderToString: <${tag} dangerouslySetInnerHTML> is not supported: put raw(markup) in the children`
            : `renderToString: cannot write ${describe(value)} as the value of <${tag} ${name}>`,
        );
      out += ` ${name}="${markup}"`;
    }
  }
  if (children.length === 0 && VOID_ELEMENTS.has(tag)) return `${out}>`;
  return `${out}>${write(children)}</${tag}>`;
}

/** The markup of a `raw()` string; undefined for a String object that is not marked escaped. */
function rawText(value: Raw): string | undefined {
  if (value.isEscaped !== true) return undefined;
  if (value.callbacks?.length)
    throw new TypeError(
      'renderToString: raw() markup with callbacks (from an async helper) is not supported',
    );
  return value.toString();
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return `a ${typeof value}`;
  return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
}

const ESCAPED = /[&<>'"]/;

/** `&`, `<`, `>`, `"` and `'` as character references, as hono writes them. */
export function escapeHtml(text: string): string {
  const first = text.search(ESCAPED);
  if (first === -1) return text;
  let out = '';
  let last = 0;
  for (let i = first; i < text.length; i++) {
    let ref: string;
    switch (text.charCodeAt(i)) {
      case 34:
        ref = '&quot;';
        break;
      case 38:
        ref = '&amp;';
        break;
      case 39:
        ref = '&#39;';
        break;
      case 60:
        ref = '&lt;';
        break;
      case 62:
        ref = '&gt;';
        break;
      default:
        continue;
    }
    out += text.slice(last, i) + ref;
    last = i + 1;
  }
  return out + text.slice(last);
}

/**
 * The attribute a prop is written as (React's spellings such as `className` and `htmlFor` are
 * accepted, as hono does), or undefined to leave it out: `ref`, `key`, and a name that could end
 * the tag or start another attribute. Cached, since pages use a few dozen names.
 */
function attributeName(key: string): string | undefined {
  const cached = ATTRIBUTE_NAMES.get(key);
  if (cached !== undefined || ATTRIBUTE_NAMES.has(key)) return cached;
  const name =
    key === 'ref' || key === 'key' || !VALID_ATTRIBUTE_NAME.test(key) ? undefined : (REACT_NAMES[key] ?? key);
  if (ATTRIBUTE_NAMES.size >= 1024) ATTRIBUTE_NAMES.clear();
  ATTRIBUTE_NAMES.set(key, name);
  return name;
}
const ATTRIBUTE_NAMES = new Map<string, string | undefined>();
/** Letters, digits, `_`, `:`, `.` and `-`, not starting with a digit, `.` or `-` (`data-x`, `aria-label`, `xml:lang`). */
const VALID_ATTRIBUTE_NAME = /^[a-zA-Z_:][\w:.-]*$/;
const REACT_NAMES: Readonly<Record<string, string>> = {
  className: 'class',
  htmlFor: 'for',
  crossOrigin: 'crossorigin',
  httpEquiv: 'http-equiv',
  itemProp: 'itemprop',
  fetchPriority: 'fetchpriority',
  noModule: 'nomodule',
  formAction: 'formaction',
};

const VOID_ELEMENTS = new Set(
  'area base br col embed hr img input keygen link meta param source track wbr'.split(' '),
);
/** Written bare when true and left out when false (`required`, not `required=""`). */
const BARE_BOOLEAN_ATTRIBUTES = new Set(
  'allowfullscreen async autofocus autoplay checked controls default defer disabled formnovalidate hidden inert ismap itemscope loop multiple muted nomodule novalidate open playsinline readonly required reversed selected'.split(
    ' ',
  ),
);
/** hono's boolean attributes: left out when false; these few others are written `name=""` when true. */
const BOOLEAN_ATTRIBUTES = new Set([
  ...BARE_BOOLEAN_ATTRIBUTES,
  'download',
  'shadowrootclonable',
  'shadowrootdelegatesfocus',
  'shadowrootserializable',
]);

/**
 * Which function hono's runtime puts in place of which tag, and the context it wraps `<head>`'s
 * children in: found by asking the runtime once, for every HTML element.
 */
const INTRINSIC_COMPONENTS = new Map<unknown, string>();
const HEAD_CONTEXT: unknown = headContext();
function headContext(): unknown {
  const inner = (jsx('head', { children: '' }) as unknown as Element).children[0];
  return typeof inner === 'object' && inner !== null && 'tag' in inner ? (inner as Element).tag : undefined;
}
for (const tag of 'a abbr address area article aside audio b base bdi bdo blockquote body br button canvas caption cite code col colgroup data datalist dd del details dfn dialog div dl dt em embed fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins kbd label legend li link main map mark menu meta meter nav noscript object ol optgroup option output p picture pre progress q rp rt ruby s samp script search section select slot small source span strong style sub summary sup table tbody td template textarea tfoot th thead time title tr track u ul var video wbr'.split(
  ' ',
)) {
  const made = jsx(tag, {}) as unknown as Element;
  if (typeof made.tag === 'function') INTRINSIC_COMPONENTS.set(made.tag, tag);
}
