import type { FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../html/html.js';
import type { JsonSchema } from './json-schema.js';

/** The parts of the OpenAPI document the page reads. */
export interface OpenApiDocument {
  readonly info: { readonly title: string; readonly description?: string };
  readonly tags: readonly { name: string }[];
  readonly paths: Record<string, Record<string, unknown>>;
  readonly components: { readonly schemas: Record<string, JsonSchema> };
}

interface Operation {
  readonly tags: string[];
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly parameters?: {
    name: string;
    in: string;
    required?: boolean;
    description?: string;
    schema: JsonSchema;
  }[];
  /** The body's schema: a `$ref` to a named schema, or given inline (the bulk actions' `{ ids }`). */
  readonly requestBody?: { content: Record<string, { schema: JsonSchema }> };
  readonly responses: Record<string, { description: string }>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** The document's descriptions mark code with backticks (Markdown); shown as `<code>`, escaped. */
function prose(text: string | undefined): SafeHtml {
  return html`${(text ?? '').split('`').map((part, i) => (i % 2 === 1 ? html`<code>${part}</code>` : part))}`;
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** `string (≤ 200)`, `integer | null`, `date-time`, `list of Choice`… */
function typeText(schema: JsonSchema): string {
  if (schema['type'] === 'array') {
    const items = (schema['items'] ?? {}) as JsonSchema;
    return `list of ${(items['title'] as string | undefined) ?? typeText(items)}`;
  }
  const types = schema['type'] === undefined ? ['any'] : ([] as unknown[]).concat(schema['type']).map(String);
  const base = schema['format'] ? [String(schema['format']), ...types.filter((t) => t !== 'string')] : types;
  const limits = [
    schema['maxLength'] !== undefined ? `≤ ${schema['maxLength']} chars` : '',
    Array.isArray(schema['enum'])
      ? `one of ${(schema['enum'] as unknown[]).filter((v) => v !== null).join(', ')}`
      : '',
  ].filter(Boolean);
  return `${base.join(' | ')}${limits.length ? ` (${limits.join('; ')})` : ''}`;
}

function fieldsTable(schema: JsonSchema, caption: string): SafeHtml {
  const properties = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema['required'] ?? []) as string[]);
  // A nested child's fields are required only for a new child: `if` no id, `then` required.
  const toAdd = new Set((((schema['then'] ?? {}) as JsonSchema)['required'] ?? []) as string[]);
  const rows = Object.entries(properties).map(([key, s]) => {
    const notes = [
      required.has(key) ? 'required' : toAdd.has(key) ? 'required to add' : '',
      s['readOnly'] ? 'read-only' : '',
      s['writeOnly'] ? 'write-only' : '',
    ].filter(Boolean);
    const items = s['type'] === 'array' ? ((s['items'] ?? {}) as JsonSchema) : undefined;
    return html`<tr><th scope="row"><code>${key}</code></th><td>${typeText(s)}</td><td>${notes.join(', ')}</td><td>${prose((s['description'] as string | undefined) ?? (s['title'] as string | undefined))}${
      items?.['properties']
        ? html`<details><summary>Fields of each item</summary>${fieldsTable(items, `Fields of ${key}`)}</details>`
        : ''
    }</td></tr>`;
  });
  return html`<table class="fields"><caption>${caption}</caption><thead><tr><th scope="col">Field</th><th scope="col">Type</th><th scope="col">Notes</th><th scope="col">Description</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** A body to start from: every required field with a placeholder of its type, and nested required items. */
export function exampleOf(schema: JsonSchema): unknown {
  const type = ([] as unknown[]).concat(schema['type'] ?? 'object')[0];
  if (Array.isArray(schema['enum'])) return (schema['enum'] as unknown[])[0];
  if (type === 'object') {
    const properties = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
    const then = (schema['then'] ?? {}) as JsonSchema;
    const required = [...((schema['required'] ?? []) as string[]), ...((then['required'] ?? []) as string[])];
    return Object.fromEntries(
      Object.entries(properties)
        .filter(
          ([key, s]) => required.includes(key) || (s['type'] === 'array' && s['items'] && !s['readOnly']),
        )
        .map(([key, s]) => [key, exampleOf(s)]),
    );
  }
  if (type === 'array') return schema['items'] ? [exampleOf(schema['items'] as JsonSchema)] : [];
  if (type === 'integer' || type === 'number') return schema['minimum'] === 1 ? 1 : 0;
  if (type === 'boolean') return false;
  if (schema['format'] === 'date-time') return '2026-01-31T12:00:00Z';
  if (schema['format'] === 'date') return '2026-01-31';
  return type === 'string' ? 'text' : null;
}

function tryForm(method: string, path: string, op: Operation, body: JsonSchema | undefined): SafeHtml {
  const hasId = path.includes('{id}');
  const query = (op.parameters ?? []).some((p) => p.in === 'query');
  const id = op.operationId;
  const example = body ? JSON.stringify(exampleOf(body), null, 2) : '';
  return html`<details class="try"><summary>Try it</summary>
<form class="try-it" data-method="${method.toUpperCase()}" data-path="${path}">
${hasId ? html`<label for="${id}-id">id</label> <input id="${id}-id" name="id" required size="8">` : ''}
${query ? html`<label for="${id}-query">Query string</label> <input id="${id}-query" name="query" placeholder="page=1&amp;search=…" size="40">` : ''}
${body ? html`<label for="${id}-body">Body (JSON)</label><textarea id="${id}-body" name="body" rows="${Math.min(20, Math.max(4, example.split('\n').length))}" spellcheck="false">${example}</textarea>` : ''}
<button type="submit">Send ${method.toUpperCase()}</button>
<output class="response" aria-live="polite"></output>
</form></details>`;
}

function operationSection(
  doc: OpenApiDocument,
  path: string,
  method: string,
  op: Operation,
  shownSchemas: Set<string>,
): SafeHtml {
  const schema = op.requestBody?.content['application/json']?.schema;
  const ref = schema?.['$ref'] as string | undefined;
  const bodyName = ref?.split('/').pop();
  const body = bodyName ? doc.components.schemas[bodyName] : schema;
  const parameters = (op.parameters ?? []).filter((p) => p.in === 'query');
  const firstTime = bodyName === undefined || !shownSchemas.has(bodyName);
  if (bodyName) shownSchemas.add(bodyName);
  return html`<section class="operation" id="${op.operationId}">
<h4><span class="method method-${method}">${method.toUpperCase()}</span> <code>${path}</code> <span class="summary">${op.summary}</span></h4>
${op.description ? html`<p>${prose(op.description)}</p>` : ''}
${
  parameters.length
    ? html`<table class="fields"><caption>Query parameters</caption><thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Description</th></tr></thead><tbody>${parameters.map(
        (p) =>
          html`<tr><th scope="row"><code>${p.name}</code></th><td>${typeText(p.schema)}</td><td>${prose(p.description)}</td></tr>`,
      )}</tbody></table>`
    : ''
}
${body && firstTime ? fieldsTable(body, bodyName ? `Body: ${bodyName}` : 'Body') : body ? html`<p>Body: <code>${bodyName}</code>, as above.</p>` : ''}
<p class="responses">Responses: ${Object.entries(op.responses).map(([code, r]) => html`<span class="status" title="${r.description}">${code}</span> `)}</p>
${tryForm(method, path, op, body)}
</section>`;
}

/**
 * `/api/docs`: a readable reference generated from the OpenAPI document (every endpoint, its
 * parameters, body fields and responses) with a small "Try it" form per operation. It works under
 * the Content-Security-Policy: no inline script or style; `/static/api/docs.js` sends the
 * requests, with the CSRF header from the page's meta tag when signed in, or a pasted token.
 */
export function docsPage(request: FastifyRequest, doc: OpenApiDocument): string {
  const shown = new Set<string>();
  const user = request.user;
  const byTag = doc.tags.map((tag) => ({
    tag: tag.name,
    operations: Object.entries(doc.paths).flatMap(([path, item]) =>
      METHODS.flatMap((m) => {
        const op = item[m] as Operation | undefined;
        return op?.tags.includes(tag.name) ? [{ path, method: m, op }] : [];
      }),
    ),
  }));
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${request.csrfToken}">
<title>${doc.info.title} · reference</title>
<link rel="stylesheet" href="/static/api/docs.css">
<script src="/static/api/docs.js" defer></script>
</head>
<body>
<header>
<h1>${doc.info.title}</h1>
<p>${prose(doc.info.description)}</p>
<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).</p>
</header>
<nav aria-label="Models"><ul>${byTag.map((g) => html`<li><a href="#${slug(g.tag)}">${g.tag}</a></li>`)}</ul></nav>
<main>
<section id="authentication">
<h2>Authentication</h2>
<p>Send <code>Authorization: Token &lt;key&gt;</code> (or <code>Bearer &lt;key&gt;</code>). Create a key with <code>slipway createtoken &lt;username&gt;</code>, in the admin under API › Tokens, or with <code>POST /api/v1/api/token/</code>. Or sign in and use your session cookie: then POST, PUT, PATCH and DELETE need the <code>X-CSRF-Token</code> header. Permissions are the admin's: <code>view</code>, <code>add</code>, <code>change</code> and <code>delete</code> per model.</p>
<p class="who">${
    user
      ? html`Signed in as <strong>${user.username}</strong>: “Try it” uses your session, with the CSRF header.`
      : html`Not signed in: <a href="/admin/login/?next=/api/docs">log in</a>, or paste a token here for “Try it”.`
  }</p>
<p><label for="token-key">Token for “Try it”</label> <input id="token-key" type="password" autocomplete="off" size="50" placeholder="slw_…"> <span class="muted">Kept in this page only.</span></p>
</section>
<section id="problems">
<h2>Errors</h2>
<p>Every error is an RFC 9457 problem document (<code>application/problem+json</code>) with <code>type</code>, <code>title</code>, <code>status</code> and <code>detail</code>.</p>
<dl>
<dt id="problem-validation">422 Validation failed</dt><dd>The body does not fit the schema, or the values break a rule. <code>errors</code> lists <code>{ field, message }</code>, with paths like <code>choices[1].choiceText</code>; <code>field</code> is null for the object as a whole.</dd>
<dt id="problem-conflict">409 Conflict</dt><dd>The database refused the change because of other rows: a duplicate value, or objects that protect the one being deleted. Or the change kept colliding with a concurrent one (a deadlock or a serialization failure, retried a few times already): nothing was written, and the same request may be sent again. Same <code>errors</code> list.</dd>
<dt id="problem-action">409 Action not completed</dt><dd>A bulk action refused the selection (<code>level</code> is <code>"error"</code>: nothing was changed) or did only part of it (<code>"warning"</code>: <code>results</code> lists the objects as they are now); <code>detail</code> is the action's message.</dd>
<dt id="problem-query">400 Invalid query parameters</dt><dd>A page, page size, ordering key or filter value that cannot be used, listed in <code>errors</code>.</dd>
<dt id="problem-unauthenticated">401 Authentication required</dt><dd>No credentials, or a token that does not work; the answer carries <code>WWW-Authenticate</code>.</dd>
<dt>403 Forbidden</dt><dd>A missing permission, or a session request without its CSRF header.</dd>
</dl>
</section>
${byTag.map(
  (g) => html`<section class="resource" id="${slug(g.tag)}">
<h2>${g.tag}</h2>
${g.operations.map(({ path, method, op }) => operationSection(doc, path, method, op, shown))}
</section>`,
)}
</main>
</body>
</html>
`.value;
}
