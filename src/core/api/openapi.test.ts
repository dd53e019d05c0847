import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedApps } from '../../apps/installed.js';
import { buildAdminSite } from '../admin/site.js';
import { createRegistry } from '../apps/registry.js';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { exampleOf } from './docs-page.js';
import type { JsonSchema } from './json-schema.js';
import { ApiClient, sessionFor, userWithToken } from './testing.js';

// The OpenAPI document and the docs page, for every installed app's registrations.
let t: TestApp;
let doc: {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, { operationId: string; responses: object }>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, { type: string }> };
  security: object[];
};

beforeAll(async () => {
  t = await buildTestApp();
  const res = await t.app.inject({ url: '/api/openapi.json', headers: { host: 'localhost' } });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toContain('application/json');
  doc = res.json();
});
afterAll(() => t.close());

function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  return out;
}

describe('/api/openapi.json', () => {
  it('has the OpenAPI 3.1 top-level shape, without authentication', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(typeof doc.info.title).toBe('string');
    expect(typeof doc.info.version).toBe('string');
    expect(Object.keys(doc).sort()).toEqual(
      ['components', 'info', 'openapi', 'paths', 'security', 'servers', 'tags'].sort(),
    );
    expect(doc.components.securitySchemes).toMatchObject({
      tokenAuth: { type: 'apiKey', in: 'header', name: 'Authorization' },
      bearerAuth: { type: 'http', scheme: 'bearer' },
      sessionAuth: { type: 'apiKey', in: 'cookie', name: 'sessionid' },
    });
  });

  it('lists the endpoints apps add with defineApiRoutes (the contacts attachment file)', () => {
    expect(doc.paths['/api/v1/contacts/attachment/{id}/file/']?.['get']).toMatchObject({
      tags: ['Contacts: more endpoints'],
      description: 'Needs `contacts.view_attachment` or `contacts.change_attachment`.',
      responses: { 200: expect.anything(), 401: expect.anything(), 403: expect.anything() },
    });
  });

  it('describes every registered model with its five operations', () => {
    const { registrations } = buildAdminSite(createRegistry(installedApps));
    expect(registrations.length).toBeGreaterThan(3);
    for (const reg of registrations) {
      const list = doc.paths[`/api/v1/${reg.app}/${reg.model}/`];
      const item = doc.paths[`/api/v1/${reg.app}/${reg.model}/{id}/`];
      expect(Object.keys(list ?? {}).sort(), reg.model).toEqual(['get', 'post']);
      expect(Object.keys(item ?? {}).sort(), reg.model).toEqual([
        'delete',
        'get',
        'parameters',
        'patch',
        'put',
      ]);
    }
  });

  it('has unique operation ids, and every $ref resolves', () => {
    const ids = Object.values(doc.paths).flatMap((item) =>
      Object.values(item).flatMap((op) =>
        op && typeof op === 'object' && 'operationId' in op ? [op.operationId] : [],
      ),
    );
    expect(new Set(ids).size).toBe(ids.length);
    for (const ref of refs(doc)) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas[ref.split('/').pop()!], ref).toBeDefined();
    }
  });

  it('gives schemas a validator accepts, derived from the table', () => {
    const ajv = new Ajv({ strict: false, validateFormats: false });
    for (const [name, schema] of Object.entries(doc.components.schemas))
      if (refs(schema).length === 0) expect(() => ajv.compile(schema), name).not.toThrow();
    const question = doc.components.schemas['PollsQuestionCreate']!;
    expect(question['required']).toEqual(['questionText', 'pubDate']);
    expect((question['properties'] as Record<string, JsonSchema>)['questionText']).toMatchObject({
      type: 'string',
      maxLength: 200,
    });
    expect((question['properties'] as Record<string, JsonSchema>)['pubDate']).toMatchObject({
      format: 'date-time',
    });
    expect((question['properties'] as Record<string, JsonSchema>)['id']).toMatchObject({ readOnly: true });
    expect(doc.components.schemas['AuthUser']!['properties']).not.toHaveProperty('password');
    expect(doc.components.schemas['ApiToken']!['properties']).not.toHaveProperty('keyHash');
  });
});

describe('/api/v1/', () => {
  it('lists every resource and where the docs are', async () => {
    const res = await t.app.inject({ url: '/api/v1/', headers: { host: 'localhost' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      docs: '/api/docs',
      openapi: '/api/openapi.json',
      resources: {
        'polls.question': '/api/v1/polls/question/',
        'contacts.person': '/api/v1/contacts/person/',
      },
    });
  });
});

describe('/api/docs', () => {
  it('is a server-rendered reference that needs no inline script or style', async () => {
    const res = await t.app.inject({ url: '/api/docs', headers: { host: 'localhost' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    for (const path of Object.keys(doc.paths)) expect(res.body).toContain(`<code>${path}</code>`);
    expect(res.body).toContain('<script src="/static/api/docs.js" defer></script>');
    expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(res.body).not.toMatch(/\sstyle=/);
    expect(res.body).not.toMatch(/\son[a-z]+=/);
    expect(res.body).toContain('id="problem-validation"');
    const script = await t.app.inject({ url: '/static/api/docs.js', headers: { host: 'localhost' } });
    expect(script.statusCode).toBe(200);
    expect(
      (await t.app.inject({ url: '/static/api/docs.css', headers: { host: 'localhost' } })).statusCode,
    ).toBe(200);
  });

  it('tells a signed-in user that Try it uses their session, and carries the CSRF token', async () => {
    const { userId } = await userWithToken(t.database.db, 'docs-reader', []);
    const session = await sessionFor(t.database.db, userId);
    const res = await t.app.inject({
      url: '/api/docs',
      headers: {
        host: 'localhost',
        cookie: `sessionid=${session}; csrftoken=docs-csrf-token-0123456789abcdefghijklmno`,
      },
    });
    expect(res.body).toContain('Signed in as <strong>docs-reader</strong>');
    expect(res.body).toContain(
      '<meta name="csrf-token" content="docs-csrf-token-0123456789abcdefghijklmno">',
    );
  });

  it('names one object with "a" or "an" as it sounds', () => {
    const summary = (path: string, method: string) =>
      (doc.paths[path]![method] as unknown as { summary: string }).summary;
    expect(summary('/api/v1/contacts/address/', 'post')).toBe('Create an address');
    expect(summary('/api/v1/contacts/attachment/{id}/', 'get')).toBe('Get an attachment');
    expect(summary('/api/v1/contacts/email/{id}/', 'delete')).toBe('Delete an e-mail address');
    expect(summary('/api/v1/contacts/person/{id}/', 'put')).toBe('Replace a person');
    expect(summary('/api/v1/auth/user/{id}/', 'patch')).toBe('Change some fields of a user');
  });

  it('documents the body of a bulk action, given inline, with an example to send', async () => {
    const res = await t.app.inject({ url: '/api/docs', headers: { host: 'localhost' } });
    for (const model of ['address', 'telephone', 'email']) {
      const id = `contacts_${model}_action_make_primary`;
      const start = res.body.indexOf(`<section class="operation" id="${id}">`);
      expect(start, id).toBeGreaterThan(-1);
      const section = res.body.slice(start, res.body.indexOf('</section>', start));
      expect(section).toContain('<caption>Body</caption>');
      expect(section).toMatch(
        /<th scope="row"><code>ids<\/code><\/th><td>list of integer<\/td><td>required<\/td>/,
      );
      expect(section).toContain(`<textarea id="${id}-body" name="body"`);
      expect(section).toContain('{\n  &quot;ids&quot;: [\n    1\n  ]\n}</textarea>');
    }
  });

  it('marks the fields a new nested item needs', async () => {
    const res = await t.app.inject({ url: '/api/docs', headers: { host: 'localhost' } });
    const start = res.body.indexOf('<section class="operation" id="contacts_person_create">');
    const section = res.body.slice(start, res.body.indexOf('</section>', start));
    const nested = (key: string) => {
      const at = section.indexOf(`<caption>Fields of ${key}</caption>`);
      expect(at, key).toBeGreaterThan(-1);
      return section.slice(at, section.indexOf('</table>', at));
    };
    const notes = (table: string, field: string) =>
      new RegExp(`<th scope="row"><code>${field}</code></th><td>[^<]*</td><td>([^<]*)</td>`).exec(table)?.[1];
    for (const field of ['street', 'postalCode', 'city', 'country'])
      expect(notes(nested('addresses'), field), field).toBe('required to add');
    expect(notes(nested('addresses'), 'kind')).toBe('');
    expect(notes(nested('telephones'), 'number')).toBe('required to add');
    expect(notes(nested('emails'), 'address')).toBe('required to add');
  });

  it('offers example bodies the API accepts', async () => {
    const { key } = await userWithToken(t.database.db, 'docs-root', [], { superuser: true });
    const example = exampleOf(doc.components.schemas['PollsQuestionCreate']!);
    expect(example).toMatchObject({
      questionText: 'text',
      pubDate: '2026-01-31T12:00:00Z',
      choices: [{ choiceText: 'text' }],
    });
    const res = await new ApiClient(t.app, { token: key }).post('/api/v1/polls/question/', example);
    expect(res.statusCode, res.body).toBe(201);
  });
});
