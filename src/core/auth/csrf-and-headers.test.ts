import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAuthTestApp, cookiesOf, TEST_CSRF } from '../testing/auth-test-app.js';
import type { TestApp } from '../testing/build-test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildAuthTestApp();
});
afterAll(() => t.close());

const FORM = 'application/x-www-form-urlencoded';
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** POST /t/echo as a browser would: a form, with whatever cookie, token and headers are given. */
function postEcho(options: {
  cookie?: string;
  token?: string;
  headers?: Record<string, string>;
  accept?: string;
}) {
  const form = new URLSearchParams({ name: 'x' });
  if (options.token !== undefined) form.set('csrf_token', options.token);
  return t.app.inject({
    method: 'POST',
    url: '/t/echo',
    headers: {
      host: 'localhost',
      'content-type': FORM,
      accept: options.accept ?? BROWSER_ACCEPT,
      ...(options.cookie ? { cookie: `csrftoken=${options.cookie}` } : {}),
      ...options.headers,
    },
    payload: form.toString(),
  });
}

describe('CSRF protection', () => {
  it('a first visit to a page with a form hands out a random CSRF cookie, the one in the form', async () => {
    const res = await t.app.inject({ url: '/t/form', headers: { host: 'localhost' } });
    const cookie = cookiesOf(res).get('csrftoken');
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.json().csrfToken).toBe(cookie?.value);
    const again = await t.app.inject({ url: '/t/form', headers: { host: 'localhost' } });
    expect(cookiesOf(again).get('csrftoken')?.value).not.toBe(cookie?.value);
  });

  it('keeps the cookie a visitor sends back, and sets none on pages without a form', async () => {
    const back = await t.app.inject({
      url: '/t/form',
      headers: { host: 'localhost', cookie: `csrftoken=${TEST_CSRF}` },
    });
    expect(back.json().csrfToken).toBe(TEST_CSRF);
    expect(back.headers['set-cookie']).toBeUndefined();
    const plain = await t.app.inject({ url: '/t/me', headers: { host: 'localhost' } });
    expect(plain.headers['set-cookie']).toBeUndefined();
  });

  it('answers 404, not 403, to a POST to a URL that names nothing', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/no/such/page/', headers: { host: 'localhost' } });
    expect(res.statusCode).toBe(404);
  });

  it('refuses a POST without the CSRF cookie with a 403 page that says so', async () => {
    const res = await postEcho({ token: TEST_CSRF });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('<h1>403 Forbidden</h1>');
    expect(res.body).toContain('CSRF verification failed: the CSRF cookie is missing.');
    expect(res.body).toContain('blocking cookies');
  });

  it('refuses a POST whose form has no token', async () => {
    const res = await postEcho({ cookie: TEST_CSRF });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('CSRF verification failed: the form has no CSRF token.');
  });

  it('refuses a wrong token, of the same or another length', async () => {
    const sameLength = `${TEST_CSRF.slice(0, -1)}X`;
    for (const token of [sameLength, 'short', `${TEST_CSRF}x`]) {
      const res = await postEcho({ cookie: TEST_CSRF, token });
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('the CSRF token is wrong or expired');
    }
  });

  it('accepts the token in the csrf_token field', async () => {
    const res = await postEcho({ cookie: TEST_CSRF, token: TEST_CSRF });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true, body: { name: 'x', csrf_token: TEST_CSRF } });
  });

  it('accepts the token in the X-CSRF-Token header, e.g. from a script posting JSON', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/t/echo',
      headers: {
        host: 'localhost',
        'content-type': 'application/json',
        cookie: `csrftoken=${TEST_CSRF}`,
        'x-csrf-token': TEST_CSRF,
      },
      payload: { name: 'y' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().body).toEqual({ name: 'y' });
  });

  it('refuses a request from another site even with a valid token pair', async () => {
    const res = await postEcho({
      cookie: TEST_CSRF,
      token: TEST_CSRF,
      headers: { origin: 'https://evil.example' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('the request came from another site (https://evil.example).');
    const sameSite = await postEcho({
      cookie: TEST_CSRF,
      token: TEST_CSRF,
      headers: { origin: 'http://localhost' },
    });
    expect(sameSite.statusCode).toBe(200);
  });

  it('refuses a malformed Origin', async () => {
    const res = await postEcho({ cookie: TEST_CSRF, token: TEST_CSRF, headers: { origin: 'not a url' } });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('the Origin header is malformed.');
  });

  it('answers API clients with problem+json', async () => {
    const res = await postEcho({ cookie: TEST_CSRF, accept: 'application/json' });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({
      status: 403,
      title: 'Forbidden',
      code: 'SLIPWAY_CSRF',
      detail: 'CSRF verification failed: the form has no CSRF token.',
    });
  });

  it('never asks GET (or HEAD) for a token', async () => {
    for (const method of ['GET', 'HEAD'] as const) {
      const res = await t.app.inject({ method, url: '/t/me', headers: { host: 'localhost' } });
      expect(res.statusCode).toBe(200);
    }
  });

  it('protects logout and login too', async () => {
    for (const url of ['/t/login', '/t/logout']) {
      const res = await t.app.inject({
        method: 'POST',
        url,
        headers: { host: 'localhost', 'content-type': FORM },
        payload: 'username=a&password=b',
      });
      expect(res.statusCode).toBe(403);
    }
  });
});

describe('security headers', () => {
  it('on a page: a strict CSP, no framing, nosniff, a Referrer-Policy and HSTS (DEBUG is off)', async () => {
    const res = await t.app.inject({ url: '/', headers: { host: 'localhost', accept: BROWSER_ACCEPT } });
    expect(res.statusCode).toBe(200);
    const csp = String(res.headers['content-security-policy']);
    const directives = new Map(
      csp.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name!, values.join(' ')];
      }),
    );
    expect(directives.get('default-src')).toBe("'self'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('style-src')).toBe("'self'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(directives.get('object-src')).toBe("'none'");
    expect(directives.get('form-action')).toBe("'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('same-origin');
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });

  it('the page itself satisfies the CSP: no inline script or style', async () => {
    const res = await t.app.inject({ url: '/', headers: { host: 'localhost' } });
    expect(res.body).toContain('<link rel="stylesheet" href="/static/core/slipway.css">');
    expect(res.body).not.toMatch(/<script|<style|\sstyle=|\son\w+=/i);
  });

  it('on error pages too', async () => {
    const res = await postEcho({});
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-frame-options']).toBe('DENY');
  });
});
