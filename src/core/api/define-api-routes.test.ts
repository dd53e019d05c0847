import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineApp } from '../apps/define-app.js';
import { SlipwayError } from '../errors.js';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { defineApiRoutes } from './define-api-routes.js';
import { ApiClient, pollsApps, sessionFor, userWithToken } from './testing.js';

// An app's own endpoints, added with defineApiRoutes: the API's authentication, the route's
// permission, the API's validation and problem documents, with nothing mounted by hand.
const trial = defineApp({
  name: 'trial',
  label: 'Trial',
  routes: (app, ctx) =>
    defineApiRoutes(app, ctx, (api) => {
      api.route<{ name: string }>({
        method: 'GET',
        path: 'trial/hello/:name/',
        permission: ['polls.view_question', 'polls.change_question'],
        deniedMessage: 'You may not be greeted.',
        handler: (request, _reply, user) => ({ greeting: `Hello ${request.params.name}`, by: user.username }),
      });
      api.route<Record<string, string>, { count: number }>({
        method: 'POST',
        path: 'trial/count/',
        schema: {
          body: {
            type: 'object',
            properties: { count: { type: 'integer', minimum: 1 } },
            required: ['count'],
            additionalProperties: false,
          },
        },
        handler: (request) => {
          if (request.body.count === 13)
            throw new SlipwayError('TRIAL_UNLUCKY', 422, 'Not that one.', {
              errors: [{ field: 'count', message: 'Not that one.' }],
            });
          return { doubled: request.body.count * 2 };
        },
      });
    }),
});

let t: TestApp;
let viewer: ApiClient;
let nobody: ApiClient;
let userId: number;

beforeAll(async () => {
  t = await buildTestApp({ apps: [...pollsApps, trial] });
  const db = t.database.db;
  let key: string;
  ({ key, userId } = await userWithToken(db, 'viewer', ['polls.change_question']));
  viewer = new ApiClient(t.app, { token: key });
  nobody = new ApiClient(t.app, { token: (await userWithToken(db, 'nobody')).key });
});
afterAll(() => t.close());

describe('defineApiRoutes', () => {
  it('answers a user holding one of the permissions, authenticated by token', async () => {
    const res = await viewer.get('/api/v1/trial/hello/Ada/');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ greeting: 'Hello Ada', by: 'viewer' });
  });

  it('answers 401 with WWW-Authenticate without credentials, and with a bad token', async () => {
    for (const client of [new ApiClient(t.app), new ApiClient(t.app, { token: 'not-a-key' })]) {
      const res = await client.get('/api/v1/trial/hello/Ada/');
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Token realm="api", Bearer realm="api"');
      expect(res.json()).toMatchObject({ code: 'SLIPWAY_API_UNAUTHENTICATED' });
    }
  });

  it('answers 403 with the route’s message to a user without the permission', async () => {
    const res = await nobody.get('/api/v1/trial/hello/Ada/');
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      code: 'SLIPWAY_PERMISSION_DENIED',
      detail: 'You may not be greeted.',
    });
  });

  it('validates the body with the API’s validator: 422 listing the fields, no coercion', async () => {
    expect((await nobody.post('/api/v1/trial/count/', { count: 2 })).json()).toEqual({ doubled: 4 });
    const res = await nobody.post('/api/v1/trial/count/', { count: '2', extra: true });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      type: '/api/docs#problem-validation',
      code: 'SLIPWAY_API_VALIDATION',
    });
    expect(
      res
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['count', 'extra']);
  });

  it('answers a typed error of the handler as its problem, with its fields', async () => {
    const res = await nobody.post('/api/v1/trial/count/', { count: 13 });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'TRIAL_UNLUCKY',
      errors: [{ field: 'count', message: 'Not that one.' }],
    });
  });

  it('needs the CSRF header on an unsafe request authenticated by the session', async () => {
    const session = await sessionFor(t.database.db, userId);
    const without = await new ApiClient(t.app, { session, csrf: false }).post('/api/v1/trial/count/', {
      count: 2,
    });
    expect(without.statusCode).toBe(403);
    expect(without.json().code).toBe('SLIPWAY_CSRF');
    const withHeader = await new ApiClient(t.app, { session }).post('/api/v1/trial/count/', { count: 2 });
    expect(withHeader.statusCode, withHeader.body).toBe(200);
  });

  it('lists the routes in the OpenAPI document and on /api/docs: path, method, permission, schema', async () => {
    const res = await new ApiClient(t.app).get('/api/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    const hello = doc.paths['/api/v1/trial/hello/{name}/'].get;
    expect(hello).toMatchObject({
      tags: ['Trial: more endpoints'],
      description: 'Needs `polls.view_question` or `polls.change_question`.',
      parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
    });
    expect(Object.keys(hello.responses)).toEqual(['200', '401', '403']);
    const count = doc.paths['/api/v1/trial/count/'].post;
    expect(count.description).toBe('Any authenticated user.');
    expect(count.requestBody.content['application/json'].schema.required).toEqual(['count']);
    expect(count.responses['422'].content['application/problem+json'].schema).toEqual({
      $ref: '#/components/schemas/ValidationProblem',
    });
    expect(doc.tags).toContainEqual({ name: 'Trial: more endpoints' });
    const page = await new ApiClient(t.app).get('/api/docs');
    expect(page.body).toContain('/api/v1/trial/hello/{name}/');
  });
});
