import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { defineApp } from '../apps/define-app.js';
import { buildTestApp } from '../testing/build-test-app.js';
import { describeOn } from '../testing/test-database.js';
import { EMBEDDED_QUEUE } from './database-queue.js';
import { FairQueue, QueueRefusal } from './fair-queue.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('FairQueue', () => {
  it('gives released slots in arrival order, never to a newcomer', async () => {
    const queue = new FairQueue({ slots: 1, maxWaiting: 10, timeoutMs: 1000 });
    const order: number[] = [];
    const first = await queue.acquire();
    const waits = [1, 2, 3].map((n) =>
      queue.acquire().then((turn) => {
        order.push(n);
        return turn;
      }),
    );
    await tick();
    expect(queue.size).toEqual({ active: 1, waiting: 3 });
    first.release();
    first.release(); // a second release does nothing
    const second = await waits[0]!;
    expect(order).toEqual([1]);
    second.release();
    (await waits[1]!).release();
    (await waits[2]!).release();
    expect(order).toEqual([1, 2, 3]);
    expect(queue.size).toEqual({ active: 0, waiting: 0 });
  });

  it('refuses when the line is full or the wait too long, and lets an aborted wait leave', async () => {
    const queue = new FairQueue({ slots: 1, maxWaiting: 1, timeoutMs: 30 });
    const held = await queue.acquire();
    const timedOut = queue.acquire();
    await expect(queue.acquire()).rejects.toEqual(new QueueRefusal('full'));
    await expect(timedOut).rejects.toEqual(new QueueRefusal('timeout'));
    const gone = new AbortController();
    const aborted = queue.acquire(gone.signal);
    gone.abort();
    await expect(aborted).rejects.toThrow('aborted while waiting');
    expect(queue.size).toEqual({ active: 1, waiting: 0 });
    held.release();
    expect(queue.size).toEqual({ active: 0, waiting: 0 });
  });

  it('refuses at once when the expected wait is over the limit, and says how long it would be', async () => {
    const queue = new FairQueue({ slots: 1, maxWaiting: 100, timeoutMs: 100 });
    const first = await queue.acquire();
    await new Promise((r) => setTimeout(r, 60));
    first.release(); // a slot is held about 60 ms
    const held = await queue.acquire();
    expect(queue.expectedWaitMs).toBeGreaterThanOrEqual(55);
    const waiting = queue.acquire(); // about 60 ms: waits
    const started = performance.now();
    const refusal = await queue.acquire().catch((e: unknown) => e); // about 120 ms: refused
    expect(performance.now() - started).toBeLessThan(20);
    expect(refusal).toBeInstanceOf(QueueRefusal);
    expect((refusal as QueueRefusal).reason).toBe('slow');
    expect((refusal as QueueRefusal).expectedWaitMs).toBeGreaterThan(100);
    held.release();
    (await waiting).release();
    expect(queue.size).toEqual({ active: 0, waiting: 0 });
  });
});

// A route that holds the database for 5 ms, as a slow page would.
const slowApp = defineApp({
  name: 'slowtest',
  label: 'Slow route',
  routes: (app, ctx) => {
    app.get('/t/slow/:n/', async (request) => {
      await ctx.database.query('SELECT 1');
      await new Promise((r) => setTimeout(r, 5));
      return { n: Number((request.params as { n: string }).n), at: performance.now() };
    });
    app.get('/t/fast/', async () => ctx.database.query('SELECT 1'));
    // As PGlite does: synchronous work under a promise, 3 ms of it.
    app.get('/t/busy/', async () => {
      await ctx.database.query('SELECT 1');
      const until = performance.now() + 3;
      while (performance.now() < until);
      return { ok: true };
    });
  },
});

describeOn('pglite', 'requests on the embedded database', () => {
  it('are answered in arrival order, all 64 of them, and 503 with Retry-After past the line', {
    timeout: 30_000,
  }, async () => {
    const { installedApps } = await import('../../apps/installed.js');
    const t = await buildTestApp({ apps: [...installedApps, slowApp] });
    try {
      const get = (n: number) =>
        t.app.inject({ url: `/t/slow/${n}/`, headers: { host: 'localhost', accept: 'application/json' } });
      const answers = await Promise.all(Array.from({ length: 64 }, (_, n) => get(n)));
      expect(answers.map((r) => r.statusCode)).toEqual(Array(64).fill(200));
      const finished = answers.map((r) => r.json() as { n: number; at: number });
      const byTime = [...finished].sort((a, b) => a.at - b.at).map((f) => f.n);
      expect(byTime).toEqual(Array.from({ length: 64 }, (_, n) => n));

      const flood = await Promise.all(
        Array.from({ length: EMBEDDED_QUEUE.maxWaiting + 10 }, () =>
          t.app.inject({ url: '/t/fast/', headers: { host: 'localhost', accept: 'application/json' } }),
        ),
      );
      const refused = flood.filter((r) => r.statusCode === 503);
      expect(refused.length).toBeGreaterThan(0);
      expect(Number(refused[0]!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(refused[0]!.headers['content-type']).toContain('application/problem+json');
      expect(refused.some((r) => /too many requests are waiting/.test(r.json().detail))).toBe(true);
      expect(flood.filter((r) => r.statusCode === 200).length + refused.length).toBe(flood.length);
    } finally {
      await t.close();
    }
  });

  it('reads the connections that wait while a request runs, so they queue in arrival order', {
    timeout: 30_000,
  }, async () => {
    // Over sockets: a request whose database work is synchronous would otherwise run to its
    // response in the callback that read it, and the others would not even be read meanwhile.
    const { installedApps } = await import('../../apps/installed.js');
    const t = await buildTestApp({ apps: [...installedApps, slowApp] });
    try {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = t.app.server.address() as { port: number };
      const agent = new Agent({ keepAlive: true, maxSockets: 16 });
      const get = () =>
        new Promise<number>((resolve, reject) =>
          request(
            { port, host: '127.0.0.1', path: '/t/busy/', agent, headers: { host: 'localhost' } },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            },
          )
            .on('error', reject)
            .end(),
        );
      const client = async () => {
        for (let i = 0; i < 8; i++) expect(await get()).toBe(200);
      };
      // Requests that Node has read (parsed) and not yet answered, at most.
      const inServer = { now: 0, max: 0 };
      t.app.server.on('request', (_req, res) => {
        inServer.max = Math.max(inServer.max, ++inServer.now);
        res.once('close', () => inServer.now--);
      });
      await Promise.all(Array.from({ length: 16 }, client));
      agent.destroy();
      expect(inServer.max).toBeGreaterThan(8);
    } finally {
      await t.close();
    }
  });
});
