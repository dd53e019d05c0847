import { renderPage } from '../html/render.js';
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
function Prose({ text }: { readonly text: string | undefined }) {
  return <>{(text ?? '').split('`').map((part, i) => (i % 2 === 1 ? <code>{part}</code> : part))}</>;
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

function FieldRow({
  name,
  schema,
  notes,
}: {
  readonly name: string;
  readonly schema: JsonSchema;
  readonly notes: string;
}) {
  const items = schema['type'] === 'array' ? ((schema['items'] ?? {}) as JsonSchema) : undefined;
  return (
    <tr>
      <th scope="row">
        <code>{name}</code>
      </th>
      <td>{typeText(schema)}</td>
      <td>{notes}</td>
      <td>
        <Prose
          text={(schema['description'] as string | undefined) ?? (schema['title'] as string | undefined)}
        />
        {items?.['properties'] ? (
          <details>
            <summary>Fields of each item</summary>
            <FieldsTable schema={items} caption={`Fields of ${name}`} />
          </details>
        ) : null}
      </td>
    </tr>
  );
}

function FieldsTable({ schema, caption }: { readonly schema: JsonSchema; readonly caption: string }) {
  const properties = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema['required'] ?? []) as string[]);
  // A nested child's fields are required only for a new child: `if` no id, `then` required.
  const toAdd = new Set((((schema['then'] ?? {}) as JsonSchema)['required'] ?? []) as string[]);
  const notesOf = (key: string, s: JsonSchema) =>
    [
      required.has(key) ? 'required' : toAdd.has(key) ? 'required to add' : '',
      s['readOnly'] ? 'read-only' : '',
      s['writeOnly'] ? 'write-only' : '',
    ]
      .filter(Boolean)
      .join(', ');
  return (
    <table class="fields">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Type</th>
          <th scope="col">Notes</th>
          <th scope="col">Description</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(properties).map(([key, s]) => (
          <FieldRow name={key} schema={s} notes={notesOf(key, s)} />
        ))}
      </tbody>
    </table>
  );
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

interface TryFormProps {
  readonly method: string;
  readonly path: string;
  readonly op: Operation;
  readonly body: JsonSchema | undefined;
}

function TryForm({ method, path, op, body }: TryFormProps) {
  const id = op.operationId;
  const example = body ? JSON.stringify(exampleOf(body), null, 2) : '';
  return (
    <details class="try">
      <summary>Try it</summary>
      <form class="try-it" data-method={method.toUpperCase()} data-path={path}>
        {path.includes('{id}') && (
          <>
            <label for={`${id}-id`}>id</label> <input id={`${id}-id`} name="id" required size={8} />
          </>
        )}
        {(op.parameters ?? []).some((p) => p.in === 'query') && (
          <>
            <label for={`${id}-query`}>Query string</label>{' '}
            <input id={`${id}-query`} name="query" placeholder="page=1&search=…" size={40} />
          </>
        )}
        {body && (
          <>
            <label for={`${id}-body`}>Body (JSON)</label>
            <textarea
              id={`${id}-body`}
              name="body"
              rows={Math.min(20, Math.max(4, example.split('\n').length))}
              spellcheck={false}
            >
              {example}
            </textarea>
          </>
        )}
        <button type="submit">Send {method.toUpperCase()}</button>
        <output class="response" aria-live="polite"></output>
      </form>
    </details>
  );
}

function QueryParameters({ parameters }: { readonly parameters: NonNullable<Operation['parameters']> }) {
  return (
    <table class="fields">
      <caption>Query parameters</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Type</th>
          <th scope="col">Description</th>
        </tr>
      </thead>
      <tbody>
        {parameters.map((p) => (
          <tr>
            <th scope="row">
              <code>{p.name}</code>
            </th>
            <td>{typeText(p.schema)}</td>
            <td>
              <Prose text={p.description} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface OperationProps {
  readonly path: string;
  readonly method: string;
  readonly op: Operation;
  /** The body's schema, with its name when it is a named one. */
  readonly body: JsonSchema | undefined;
  readonly bodyName: string | undefined;
  /** False when a named body schema was already described higher up the page. */
  readonly firstTime: boolean;
}

function BodyFields({ body, bodyName, firstTime }: OperationProps) {
  if (!body) return null;
  if (firstTime) return <FieldsTable schema={body} caption={bodyName ? `Body: ${bodyName}` : 'Body'} />;
  return (
    <p>
      Body: <code>{bodyName}</code>, as above.
    </p>
  );
}

function OperationSection(props: OperationProps) {
  const { path, method, op } = props;
  const parameters = (op.parameters ?? []).filter((p) => p.in === 'query');
  return (
    <section class="operation" id={op.operationId}>
      <h4>
        <span class={`method method-${method}`}>{method.toUpperCase()}</span> <code>{path}</code>{' '}
        <span class="summary">{op.summary}</span>
      </h4>
      {op.description && (
        <p>
          <Prose text={op.description} />
        </p>
      )}
      {parameters.length > 0 && <QueryParameters parameters={parameters} />}
      <BodyFields {...props} />
      <p class="responses">
        Responses:{' '}
        {Object.entries(op.responses).map(([code, r]) => (
          <>
            <span class="status" title={r.description}>
              {code}
            </span>{' '}
          </>
        ))}
      </p>
      <TryForm method={method} path={path} op={op} body={props.body} />
    </section>
  );
}

/** Each tag's operations, with what the page shows of their bodies worked out in document order. */
function operationsByTag(doc: OpenApiDocument) {
  const shown = new Set<string>();
  return doc.tags.map((tag) => ({
    tag: tag.name,
    operations: Object.entries(doc.paths).flatMap(([path, item]) =>
      METHODS.flatMap((method): OperationProps[] => {
        const op = item[method] as Operation | undefined;
        if (!op?.tags.includes(tag.name)) return [];
        const schema = op.requestBody?.content['application/json']?.schema;
        const bodyName = (schema?.['$ref'] as string | undefined)?.split('/').pop();
        const firstTime = bodyName === undefined || !shown.has(bodyName);
        if (bodyName) shown.add(bodyName);
        return [
          {
            path,
            method,
            op,
            body: bodyName ? doc.components.schemas[bodyName] : schema,
            bodyName,
            firstTime,
          },
        ];
      }),
    ),
  }));
}

function Who({ username }: { readonly username: string | undefined }) {
  return (
    <p class="who">
      {username !== undefined ? (
        <>
          Signed in as <strong>{username}</strong>: “Try it” uses your session, with the CSRF header.
        </>
      ) : (
        <>
          Not signed in: <a href="/admin/login/?next=/api/docs">log in</a>, or paste a token here for “Try
          it”.
        </>
      )}
    </p>
  );
}

function Authentication({ username }: { readonly username: string | undefined }) {
  return (
    <section id="authentication">
      <h2>Authentication</h2>
      <p>
        Send <code>Authorization: Token &lt;key&gt;</code> (or <code>Bearer &lt;key&gt;</code>). Create a key
        with <code>slipway createtoken &lt;username&gt;</code>, in the admin under API › Tokens, or with{' '}
        <code>POST /api/v1/api/token/</code>. Or sign in and use your session cookie: then POST, PUT, PATCH
        and DELETE need the <code>X-CSRF-Token</code> header. Permissions are the admin’s: <code>view</code>,{' '}
        <code>add</code>, <code>change</code> and <code>delete</code> per model.
      </p>
      <Who username={username} />
      <p>
        <label for="token-key">Token for “Try it”</label>{' '}
        <input id="token-key" type="password" autocomplete="off" size={50} placeholder="slw_…" />{' '}
        <span class="muted">Kept in this page only.</span>
      </p>
    </section>
  );
}

function Problems() {
  return (
    <section id="problems">
      <h2>Errors</h2>
      <p>
        Every error is an RFC 9457 problem document (<code>application/problem+json</code>) with{' '}
        <code>type</code>, <code>title</code>, <code>status</code> and <code>detail</code>.
      </p>
      <dl>
        <dt id="problem-validation">422 Validation failed</dt>
        <dd>
          The body does not fit the schema, or the values break a rule. <code>errors</code> lists{' '}
          <code>{'{ field, message }'}</code>, with paths like <code>choices[1].choiceText</code>;{' '}
          <code>field</code> is null for the object as a whole.
        </dd>
        <dt id="problem-conflict">409 Conflict</dt>
        <dd>
          The database refused the change because of other rows: a duplicate value, or objects that protect
          the one being deleted. Or the change kept colliding with a concurrent one (a deadlock or a
          serialization failure, retried a few times already): nothing was written, and the same request may
          be sent again. Same <code>errors</code> list.
        </dd>
        <dt id="problem-action">409 Action not completed</dt>
        <dd>
          A bulk action refused the selection (<code>level</code> is <code>"error"</code>: nothing was
          changed) or did only part of it (<code>"warning"</code>: <code>results</code> lists the objects as
          they are now); <code>detail</code> is the action’s message.
        </dd>
        <dt id="problem-query">400 Invalid query parameters</dt>
        <dd>
          A page, page size, ordering key or filter value that cannot be used, listed in <code>errors</code>.
        </dd>
        <dt id="problem-unauthenticated">401 Authentication required</dt>
        <dd>
          No credentials, or a token that does not work; the answer carries <code>WWW-Authenticate</code>.
        </dd>
        <dt>403 Forbidden</dt>
        <dd>A missing permission, or a session request without its CSRF header.</dd>
      </dl>
    </section>
  );
}

export interface DocsPageProps {
  readonly doc: OpenApiDocument;
  /** For the page's `csrf-token` meta tag, which docs.js sends as the CSRF header. */
  readonly csrfToken: string;
  /** The signed-in user's name: "Try it" then uses the session. */
  readonly username?: string | undefined;
}

/** The reference page as a component; {@link docsPage} renders it. */
export function DocsPage({ doc, csrfToken, username }: DocsPageProps) {
  const byTag = operationsByTag(doc);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="csrf-token" content={csrfToken} />
        <title>{doc.info.title} · reference</title>
        <link rel="stylesheet" href="/static/api/docs.css" />
        <script src="/static/api/docs.js" defer />
      </head>
      <body>
        <header>
          <h1>{doc.info.title}</h1>
          <p>
            <Prose text={doc.info.description} />
          </p>
          <p>
            Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).
          </p>
        </header>
        <nav aria-label="Models">
          <ul>
            {byTag.map((g) => (
              <li>
                <a href={`#${slug(g.tag)}`}>{g.tag}</a>
              </li>
            ))}
          </ul>
        </nav>
        <main>
          <Authentication username={username} />
          <Problems />
          {byTag.map((g) => (
            <section class="resource" id={slug(g.tag)}>
              <h2>{g.tag}</h2>
              {g.operations.map((op) => (
                <OperationSection {...op} />
              ))}
            </section>
          ))}
        </main>
      </body>
    </html>
  );
}

/**
 * `/api/docs`: a readable reference generated from the OpenAPI document (every endpoint, its
 * parameters, body fields and responses) with a small "Try it" form per operation. It works under
 * the Content-Security-Policy: no inline script or style; `/static/api/docs.js` sends the
 * requests, with the CSRF header from the page's meta tag when signed in, or a pasted token.
 */
export function docsPage(props: DocsPageProps): string {
  return renderPage(<DocsPage {...props} />);
}
