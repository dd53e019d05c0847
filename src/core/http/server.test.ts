import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedApps } from '../../apps/installed.js';
import { defineApp } from '../apps/define-app.js';
import { SlipwayError } from '../errors.js';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';

const boom = defineApp({
  name: 'boom',
  label: 'Boom',
  routes: (app, { database }) => {
    // The database itself raises it, as PostgreSQL does when it breaks a deadlock.
    app.get('/deadlock', async () => {
      await database.exec("DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01'; END $$");
    });
    app.get('/boom', async () => {
      throw new Error('secret internals at /srv/app.ts');
    });
    app.get('/teapot', async () => {
      throw new SlipwayError('TEAPOT', 418, 'I am a teapot <b>really</b>');
    });
    app.post('/echo', async (request) => request.body);
    app.get('/db-down', async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    });
  },
});

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ apps: [...installedApps, boom] });
});
afterAll(() => t.close());

const get = (url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers: { host: 'localhost', ...headers } });

describe('health endpoints', () => {
  it('/livez answers 200 with no dependencies', async () => {
    const res = await get('/livez');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('/readyz answers 200 when the database answers and nothing is pending', async () => {
    const res = await get('/readyz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ok',
      checks: { database: { ok: true }, migrations: { ok: true } },
    });
  });

  it('/readyz answers 503 naming pending migrations', async () => {
    await t.database.exec("DELETE FROM slipway_migrations WHERE name = 'polls/0001_initial'");
    try {
      const res = await get('/readyz');
      expect(res.statusCode).toBe(503);
      expect(res.json().checks.migrations).toEqual({
        ok: false,
        error: 'migrations are pending',
        pending: ['polls/0001_initial'],
      });
    } finally {
      const [file] = (await import('../apps/project-migrations.js'))
        .projectMigrations(installedApps)
        .filter((f) => f.name === 'polls/0001_initial');
      await t.database.query('INSERT INTO slipway_migrations (name, checksum) VALUES ($1, $2)', [
        file!.name,
        file!.checksum,
      ]);
    }
    expect((await get('/readyz')).statusCode).toBe(200);
  });

  it('/readyz answers 503 while shutting down, /livez stays 200', async () => {
    t.lifecycle.draining = true;
    try {
      const res = await get('/readyz');
      expect(res.statusCode).toBe(503);
      expect(res.json().checks.shutdown).toEqual({ ok: false, error: 'the server is shutting down' });
      expect((await get('/livez')).statusCode).toBe(200);
    } finally {
      t.lifecycle.draining = false;
    }
  });

  it('probes answer whatever the Host header, so proxies can call them by IP', async () => {
    expect((await get('/livez', { host: '10.0.0.7:8000' })).statusCode).toBe(200);
  });
});

describe('errors', () => {
  it('answers unknown routes with an HTML 404 page for browsers', async () => {
    const res = await get('/nowhere?x=<script>', { accept: 'text/html' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('<h1>404 Not Found</h1>');
    expect(res.body).not.toContain('<script>');
  });

  it('answers unknown routes with problem+json for API clients', async () => {
    const res = await get('/api/v1/nothing');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      instance: '/api/v1/nothing',
    });
  });

  it('hides the stack and the message of a crash when DEBUG is off', async () => {
    const res = await get('/boom', { accept: 'application/json' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret internals');
    expect(res.body).not.toMatch(/\bat .*\.ts:\d+/);
    expect(res.json().requestId).toBe(res.headers['x-request-id']);
  });

  it('turns a SlipwayError into its status with an escaped message', async () => {
    const res = await get('/teapot');
    expect(res.statusCode).toBe(418);
    expect(res.body).toContain('I am a teapot &lt;b&gt;really&lt;/b&gt;');
  });

  it('answers 503 with Retry-After when the database is unreachable', async () => {
    const res = await get('/db-down', { accept: 'application/json' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).not.toContain('ECONNREFUSED');
  });

  it('answers a deadlock the route did not retry with 409 and "try again", not 500', async () => {
    const res = await get('/deadlock', { accept: 'application/json' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ status: 409, code: 'SLIPWAY_CONCURRENT_UPDATE' });
    expect(res.json().detail).toContain('Please try again.');
  });

  it('answers a malformed JSON body with 400, not 500', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/echo',
      headers: { host: 'localhost', 'content-type': 'application/json' },
      payload: '{bad',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      status: 400,
      title: 'Bad Request',
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
      detail: expect.stringContaining('not valid JSON'),
    });
  });

  it('says what is wrong with an empty JSON body and an unknown content type', async () => {
    const post = (type: string, payload: string) =>
      t.app.inject({
        method: 'POST',
        url: '/echo',
        headers: { host: 'localhost', 'content-type': type, accept: 'application/json' },
        payload,
      });
    const empty = await post('application/json', '');
    expect(empty.statusCode).toBe(400);
    expect(empty.json().detail).toContain('body is empty');
    const xml = await post('application/xml', '<a/>');
    expect(xml.statusCode).toBe(415);
    expect(xml.json()).toMatchObject({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' });
    expect(xml.json().detail).toContain('"application/xml"');
  });
});

describe('the welcome page', () => {
  it('lists the installed apps at / until an app claims it', async () => {
    const res = await get('/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>Slipway is running</h1>');
    expect(res.body).toContain('<li><a href="/polls/">Polls</a> <span class="muted">(polls)</span></li>');
    expect(res.body).toContain('<a href="/admin/">Admin</a>');
    expect(res.body).toContain('<a href="/api/docs">API docs</a>');
  });

  it('answers /favicon.ico with an empty, cacheable 204 rather than a 404', async () => {
    const res = await get('/favicon.ico');
    expect(res.statusCode).toBe(204);
    expect(res.headers['cache-control']).toBe('public, max-age=86400');
  });
});

describe('requests', () => {
  it('refuses a Host not in ALLOWED_HOSTS with 400', async () => {
    const res = await get('/nowhere', { host: 'evil.example' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Invalid Host header');
  });

  it('keeps a proxy request id and makes one otherwise', async () => {
    expect((await get('/livez', { 'x-request-id': 'abc-123' })).headers['x-request-id']).toBe('abc-123');
    const made = (await get('/livez', { 'x-request-id': 'bad id with spaces' })).headers['x-request-id'];
    expect(made).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends security headers', async () => {
    const res = await get('/livez');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('same-origin');
  });

  it('keeps idle connections open longer than a proxy (Traefik: 90 s)', () => {
    expect(t.app.server.keepAliveTimeout).toBeGreaterThan(90_000);
  });
});

describe('DEBUG', () => {
  it('shows the stack of a crash only when DEBUG is on', async () => {
    const dbg = await buildTestApp({ apps: [...installedApps, boom], env: { DEBUG: '1' } });
    try {
      const res = await dbg.app.inject({
        url: '/boom',
        headers: { host: 'localhost', accept: 'application/json' },
      });
      expect(res.statusCode).toBe(500);
      expect(res.json().stack).toContain('secret internals');
    } finally {
      await dbg.close();
    }
  });
});
