import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { ApiClient, superuserClients, userWithToken } from './testing.js';

// Property-based: requests generated from the OpenAPI document, valid and hostile, against every
// operation. Whatever is sent: never a 5xx; every error is a problem document with the security
// headers and the request id; a refused request (4xx) changes nothing in the database.
// FUZZ_RUNS=2000 npx vitest run src/core/api/fuzz.test.ts runs a larger sample.

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 25);
const TIMEOUT = 30_000 + RUNS * 300;
type Schema = Record<string, unknown>;
type Doc = { paths: Record<string, Record<string, Schema>>; components: { schemas: Record<string, Schema> } };

let t: TestApp;
let api: ApiClient;
let doc: Doc;
let sent = 0;
const statuses = new Map<number, number>();

/** Values that columns cannot take, and other shapes clients send by mistake or on purpose. */
const HOSTILE: readonly unknown[] = [
  2147483648,
  -2147483649,
  2 ** 53 + 1,
  2 ** 63,
  1e308,
  -1e308,
  0.5,
  -0,
  'a\u0000b',
  '\u0000',
  '0000-01-01',
  '2026-02-30',
  '10000-01-01',
  '0000-12-31T23:59:59Z',
  '0001-01-01T00:00:00+01:00',
  '9999-12-31T23:59:59-01:00',
  '2026-13-01T00:00:00Z',
  '',
  ' ',
  'x'.repeat(5000),
  '99999999999999999999999',
  '1e400',
  '\uD800',
  '%FF',
  'NaN',
  null,
  true,
  [],
  {},
  { filename: 'a.txt', content: 'aGVsbG8=' },
  { filename: 'a\u0000.pdf', content: '!!!' },
];
const hostile = fc.constantFrom(...HOSTILE);

function deref(schema: Schema): Schema {
  const ref = schema['$ref'];
  return typeof ref === 'string' ? doc.components.schemas[ref.split('/').pop()!]! : schema;
}

/** A value the schema allows (mostly), with a hostile one now and then at any depth. */
function arbitraryFor(input: Schema, depth = 0, mix = true): fc.Arbitrary<unknown> {
  const schema = deref(input);
  const types = ([] as unknown[]).concat(schema['type'] ?? []);
  const arbs: fc.Arbitrary<unknown>[] = [];
  if (Array.isArray(schema['enum'])) arbs.push(fc.constantFrom(...(schema['enum'] as unknown[])));
  else
    for (const type of types) {
      if (type === 'null') arbs.push(fc.constant(null));
      if (type === 'boolean') arbs.push(fc.boolean());
      if (type === 'integer')
        arbs.push(
          fc.integer({
            min: Math.max(Number(schema['minimum'] ?? -(2 ** 31)), Number.MIN_SAFE_INTEGER),
            max: Math.min(Number(schema['maximum'] ?? 2 ** 31 - 1), Number.MAX_SAFE_INTEGER),
          }),
        );
      if (type === 'number') arbs.push(fc.double({ noNaN: true, noDefaultInfinity: true }));
      if (type === 'string') arbs.push(stringOf(schema));
      if (type === 'array' && depth < 2)
        arbs.push(
          fc.array(arbitraryFor((schema['items'] ?? {}) as Schema, depth + 1, mix), {
            maxLength: Math.min(Number(schema['maxItems'] ?? 3), 3),
          }),
        );
      if (type === 'object' && depth < 3) arbs.push(objectOf(schema, depth, mix));
    }
  if (types.length === 0 && !schema['enum']) arbs.push(fc.jsonValue({ maxDepth: 2 }));
  if (arbs.length === 0) arbs.push(fc.constant(null));
  const allowed = fc.oneof(...arbs);
  return mix ? fc.oneof({ arbitrary: allowed, weight: 4 }, { arbitrary: hostile, weight: 1 }) : allowed;
}

function stringOf(schema: Schema): fc.Arbitrary<string> {
  const max = Math.min(Number(schema['maxLength'] ?? 40), 40);
  if (schema['format'] === 'date')
    return fc
      .date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
  if (schema['format'] === 'date-time')
    return fc
      .date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString());
  if (typeof schema['pattern'] === 'string') return fc.integer({ min: -9999, max: 9999 }).map(String);
  if (schema['contentEncoding'] === 'base64') return fc.base64String({ maxLength: 40 });
  return fc.string({ minLength: Number(schema['minLength'] ?? 0), maxLength: Math.max(max, 1) });
}

function objectOf(schema: Schema, depth: number, mix: boolean): fc.Arbitrary<Record<string, unknown>> {
  const props = (schema['properties'] ?? {}) as Record<string, Schema>;
  const required = (schema['required'] ?? []) as string[];
  const model = Object.fromEntries(
    Object.entries(props)
      .filter(([, p]) => !deref(p)['readOnly'])
      .map(([k, p]) => [k, arbitraryFor(p, depth + 1, mix)]),
  );
  const base = fc.record(model, { requiredKeys: required.filter((k) => k in model) });
  if (!mix) return base;
  // Sometimes a key the schema does not know.
  return fc.oneof(
    { arbitrary: base, weight: 5 },
    {
      arbitrary: fc
        .tuple(base, fc.string({ maxLength: 8 }), hostile)
        .map(([o, k, v]) => ({ ...o, [`x${k}`]: v })),
      weight: 1,
    },
  );
}

/** A query string for a list: its parameters with allowed or hostile values, and unknown ones. */
function queryOf(parameters: Schema[]): fc.Arbitrary<string> {
  const params = parameters.filter((p) => p['in'] === 'query');
  const entry = fc.oneof(
    {
      arbitrary: fc
        .constantFrom(...params)
        .chain((p) => fc.tuple(fc.constant(String(p['name'])), arbitraryFor(p['schema'] as Schema))),
      weight: 6,
    },
    {
      arbitrary: fc.tuple(fc.constantFrom('isPrimary', 'format', 'o', 'q', 'page[]', ''), hostile),
      weight: 1,
    },
  );
  return fc.oneof(
    {
      arbitrary: fc.array(entry, { maxLength: 4 }).map((entries) => {
        const q = new URLSearchParams();
        for (const [k, v] of entries) q.append(k, typeof v === 'string' ? v : JSON.stringify(v));
        return q.toString();
      }),
      weight: 8,
    },
    {
      arbitrary: fc.constantFrom(
        '%FF',
        'search=%',
        'page=1&page=2',
        'a=%00&b',
        '&&&=',
        'ordering=-',
        'search=%E0%A4%A',
      ),
      weight: 1,
    },
  );
}

/** Mostly ids that exist (the seeded rows), else ids no row has or no column can take. */
const ID = fc.oneof(
  { arbitrary: fc.constantFrom('1', '2', '3'), weight: 3 },
  {
    arbitrary: fc.constantFrom(
      '0',
      '-1',
      '2147483648',
      '9223372036854775808',
      '1e3',
      '%00',
      '%FF',
      'x',
      '%20',
    ),
    weight: 1,
  },
  { arbitrary: fc.nat({ max: 50 }).map(String), weight: 1 },
);

async function fingerprint(): Promise<string> {
  // Every table a request could change, but api_token's last_used_at and the sessions.
  const tables = await t.database.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
       AND table_name NOT IN ('auth_session', 'auth_login_attempt', 'api_token', 'slipway_migrations', 'slipway_deleted_media')
     ORDER BY table_name`,
  );
  const parts = tables.map(
    (r) => `(SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM "${r.table_name}" x)`,
  );
  parts.push(
    `(SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM (SELECT id, user_id, name, key_hash FROM api_token) x)`,
  );
  const [row] = await t.database.query<{ f: string }>(`SELECT md5(${parts.join(' || ')}) AS f`);
  return row!.f;
}

/** The app's own error answer: a problem document with the security headers and request id. */
function expectAppAnswer(res: LightMyRequestResponse, label: string): void {
  sent++;
  statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
  expect(res.statusCode, `${label} -> ${res.body.slice(0, 500)}`).toBeLessThan(500);
  expect(res.headers['x-content-type-options'], label).toBe('nosniff');
  expect(res.headers['x-frame-options'], label).toBe('DENY');
  expect(String(res.headers['content-security-policy']), label).toContain("default-src 'self'");
  expect(res.headers['x-request-id'], label).toBeTruthy();
  if (res.statusCode >= 400) {
    expect(res.headers['content-type'], label).toContain('application/problem+json');
    const body = res.json();
    expect(body.status, label).toBe(res.statusCode);
    expect(typeof body.title, label).toBe('string');
  }
}

/** The database as the last request left it (refreshed after each success). */
let known = '';

async function check(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown) {
  const raw = body === undefined ? undefined : (JSON.stringify(body) ?? 'null');
  const res = await api.request(method, url, undefined, raw);
  const label = `${method} ${url} ${raw?.slice(0, 300) ?? ''}`;
  expectAppAnswer(res, label);
  if (res.statusCode >= 400) expect(await fingerprint(), `${label} changed the database`).toBe(known);
  else if (method !== 'GET') known = await fingerprint();
  // A generated request may deactivate or delete the client's own user or token: sign in anew.
  if (res.statusCode === 401) {
    const { key } = await userWithToken(t.database.db, `fuzz${++clients}`, [], { superuser: true });
    api = new ApiClient(t.app, { token: key });
    known = await fingerprint();
  }
}

let clients = 0;

beforeAll(async () => {
  t = await buildTestApp();
  ({ api } = await superuserClients(t.app, t.database.db));
  doc = (await t.app.inject({ url: '/api/openapi.json', headers: { host: 'localhost' } })).json();
  // Something to change and delete: a question with choices, a person with their contacts.
  await api.post('/api/v1/polls/question/', {
    questionText: 'Tea?',
    pubDate: '2026-01-01T00:00:00Z',
    choices: [{ choiceText: 'Yes' }, { choiceText: 'No' }],
  });
  await api.post('/api/v1/contacts/person/', {
    firstName: 'Ada',
    lastName: 'Lovelace',
    addresses: [{ street: 'St James 1', city: 'London', postalCode: 'SW1', country: 'GB' }],
    telephones: [{ number: '+41446681800' }],
  });
  known = await fingerprint();
});
afterAll(async () => {
  console.info(`API fuzz: ${sent} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  await t.close();
});

describe('generated API requests', () => {
  it(
    'lists: any query string is answered, never with a 5xx',
    async () => {
      const lists = Object.entries(doc.paths).filter(([p, ops]) => !p.includes('{') && ops['get']);
      await fc.assert(
        fc.asyncProperty(
          fc
            .constantFrom(...lists)
            .chain(([path, ops]) =>
              fc.tuple(fc.constant(path), queryOf((ops['get']!['parameters'] ?? []) as Schema[])),
            ),
          async ([path, query]) => check('GET', `${path}${query ? `?${query}` : ''}`),
        ),
        { numRuns: RUNS * 2 },
      );
    },
    TIMEOUT,
  );

  it(
    'writes: generated bodies for every POST, PUT and PATCH',
    async () => {
      const writes: [string, string, Schema][] = [];
      for (const [path, ops] of Object.entries(doc.paths))
        for (const method of ['post', 'put', 'patch'])
          if (ops[method]?.['requestBody'])
            writes.push([path, method.toUpperCase(), (ops[method]!['requestBody'] as Schema) ?? {}]);
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...writes).chain(([path, method, requestBody]) => {
            const content = (requestBody['content'] as Record<string, { schema: Schema }>)[
              'application/json'
            ];
            return fc.tuple(
              fc.constant(method),
              path.includes('{id}') ? ID.map((id) => path.replace('{id}', id)) : fc.constant(path),
              fc.oneof(
                // Bodies the schema allows (the database may still refuse them), hostile ones, any JSON.
                { arbitrary: arbitraryFor(content?.schema ?? {}, 0, false), weight: 3 },
                { arbitrary: arbitraryFor(content?.schema ?? {}), weight: 3 },
                { arbitrary: fc.jsonValue(), weight: 1 },
              ),
            );
          }),
          async ([method, url, body]) => check(method as 'POST', url, body),
        ),
        { numRuns: RUNS * 3 },
      );
    },
    TIMEOUT,
  );

  it(
    'items: retrieve and delete with any id',
    async () => {
      const items = Object.keys(doc.paths).filter((p) => p.includes('{id}'));
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...items),
          ID,
          fc.constantFrom('GET', 'GET', 'GET', 'DELETE') as fc.Arbitrary<'GET' | 'DELETE'>,
          async (path, id, method) => check(method, path.replace('{id}', id)),
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );
});
