import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';

const lines: Array<{ msg?: string; level: number; checks?: unknown; req?: { url?: string } }> = [];
const stream = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ env: { LOG_LEVEL: 'info' }, logStream: stream });
});
afterAll(() => t.close());

const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { host: 'localhost' } });
const logged = (url: string) => lines.filter((l) => l.req?.url === url || l.msg?.includes(url));

describe('probe logging', () => {
  it('does not log a line per probe, but logs a page request', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await get('/readyz')).statusCode).toBe(200);
      expect((await get('/livez')).statusCode).toBe(200);
    }
    await get('/polls/');
    expect(logged('/readyz')).toEqual([]);
    expect(logged('/livez')).toEqual([]);
    expect(logged('/polls/').length).toBeGreaterThan(0);
  });

  it('logs a change of readiness once each way, naming the failing check', async () => {
    t.lifecycle.draining = true;
    try {
      for (let i = 0; i < 3; i++) expect((await get('/readyz')).statusCode).toBe(503);
    } finally {
      t.lifecycle.draining = false;
    }
    for (let i = 0; i < 3; i++) expect((await get('/readyz')).statusCode).toBe(200);
    const changes = lines.filter((l) => l.msg?.startsWith('readiness'));
    expect(changes.map((l) => l.msg)).toEqual(['readiness: unavailable', 'readiness: ok again']);
    expect(changes[0]?.checks).toEqual({ shutdown: { ok: false, error: 'the server is shutting down' } });
    expect(changes[0]?.level).toBe(40);
  });
});
