import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';

// Requests that Fastify's router or Node's HTTP parser refuse before any route or hook runs are
// still answered as the app answers errors: problem+json (or the HTML page), with the security
// headers and a request id.
let t: TestApp;
let port: number;

beforeAll(async () => {
  t = await buildTestApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as AddressInfo).port;
});
afterAll(() => t.close());

/** Sends raw bytes and reads the answer until the server closes or 500 ms pass. */
function raw(
  request: string | Buffer,
): Promise<{ status: number; head: string; body: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    let closed = false;
    const done = () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), head: head.toLowerCase(), body, closed });
    };
    const timer = setTimeout(() => {
      socket.destroy();
      done();
    }, 500);
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => {
      closed = true;
      clearTimeout(timer);
      done();
    });
    socket.write(request);
  });
}

function expectAppError(res: { head: string }, status: number) {
  expect(res.head).toMatch(new RegExp(`^http/1.1 ${status} `));
  expect(res.head).toContain('content-type: application/problem+json');
  expect(res.head).toContain("content-security-policy: default-src 'self'");
  expect(res.head).toContain('x-frame-options: deny');
  expect(res.head).toContain('x-content-type-options: nosniff');
  expect(res.head).toContain('strict-transport-security: max-age=31536000');
  expect(res.head).toMatch(/x-request-id: [\w-]{8,}/);
}

describe("the router's refusals", () => {
  it('answers a URL that is not UTF-8 with a 400 problem', async () => {
    const res = await t.app.inject({ url: '/api/v1/polls/question/%FF/', headers: { host: 'localhost' } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(res.json()).toMatchObject({
      status: 400,
      code: 'FST_ERR_BAD_URL',
      requestId: res.headers['x-request-id'],
    });
  });

  it('answers a path parameter over 100 characters with a 414 problem, or an HTML page', async () => {
    const url = `/api/v1/polls/question/${'1'.repeat(120)}/`;
    const res = await t.app.inject({ url, headers: { host: 'localhost' } });
    expect(res.statusCode).toBe(414);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    const page = await t.app.inject({
      url: `/admin/polls/question/${'1'.repeat(120)}/change/`,
      headers: { host: 'localhost', accept: 'text/html' },
    });
    expect(page.statusCode).toBe(414);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('414 URI Too Long');
  });
});

describe("Node's parser's refusals", () => {
  it('answers headers over 16 KiB with 431 and Connection: close', async () => {
    const res = await raw(`GET /api/v1/?q=${'a'.repeat(17 * 1024)} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    expectAppError(res, 431);
    expect(res.head).toContain('connection: close');
    expect(JSON.parse(res.body)).toMatchObject({ status: 431, code: 'HPE_HEADER_OVERFLOW' });
    expect(res.closed).toBe(true);
  });

  it('answers a control character in a header with 400 and Connection: close', async () => {
    const res = await raw(
      Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\nX-Bad: a\x7fb\r\n\r\n', 'latin1'),
    );
    expectAppError(res, 400);
    expect(res.head).toContain('connection: close');
    expect(res.closed).toBe(true);
  });

  it('refuses two Host headers with 400', async () => {
    const res = await raw('GET /api/v1/ HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n');
    expectAppError(res, 400);
    expect(JSON.parse(res.body).detail).toBe('The request has more than one Host header.');
  });
});

describe('shutting down', () => {
  it("answers requests that arrive while the listener closes with the app's 503", async () => {
    t.lifecycle.closing = true;
    try {
      const res = await t.app.inject({ url: '/api/v1/', headers: { host: 'localhost' } });
      expect(res.statusCode).toBe(503);
      expect(res.headers['connection']).toBe('close');
      expect(res.headers['retry-after']).toBe('1');
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.json().detail).toBe('The server is shutting down. Send the request again.');
    } finally {
      t.lifecycle.closing = false;
    }
  });
});

describe('body errors', () => {
  it('answers a body too large with 413 problem and Connection: close', async () => {
    const res = await raw(
      `POST /admin/login/ HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n{}`,
    );
    expectAppError(res, 413);
    expect(res.head).toContain('connection: close');
  });

  it('answers an unsupported media type with a 415 problem', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/login/',
      headers: { host: 'localhost', 'content-type': 'application/xml', accept: 'application/json' },
      payload: '<a/>',
    });
    expect(res.statusCode).toBe(415);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});
