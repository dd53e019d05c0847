import { Agent, request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../core/testing/build-test-app.js';
import { createQuestion, votesOf } from './testing.js';

// The vote test: 64 clients, 2,000 votes in all, over real HTTP with keep-alive, each
// client with its own CSRF cookie and token. The database must end with exactly one vote per
// 303, on the choice each vote named. Runs on PGlite, and on PostgreSQL with TEST_DATABASE_URL.
const CLIENTS = 64;
const VOTES = 2_000;
// One deadline for the whole run, not one per request: a loaded machine may stall a request for
// seconds (PGlite runs in this thread), and only a run that never ends is a failure. Alone on
// two cores the run takes about 5 s on PGlite and 3.5 s on PostgreSQL.
const RUN_TIMEOUT_MS = 90_000;

let t: TestApp;
let base: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  t = await buildTestApp();
  t.app.server.on('connection', (socket: Socket) => sockets.add(socket));
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
afterAll(() => t?.close());

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * One HTTP request through `agent`. node:http rather than fetch: client and server share this
 * process, and fetch's extra CPU per request would otherwise be most of what is measured.
 */
function request(
  agent: Agent,
  signal: AbortSignal,
  path: string,
  headers: OutgoingHttpHeaders,
  body?: string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${base}${path}`,
      { method: body === undefined ? 'GET' : 'POST', agent, headers, signal },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', (error) =>
      reject(signal.aborted ? new Error(`the votes did not finish within ${RUN_TIMEOUT_MS} ms`) : error),
    );
    req.end(body);
  });
}

/** What a browser holds after opening the detail page: the CSRF cookie, and the form's token. */
async function openForm(agent: Agent, signal: AbortSignal, path: string) {
  const res = await request(agent, signal, path, {});
  const cookie = (res.headers['set-cookie'] ?? [])
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('csrftoken='));
  const token = /name="csrf_token" value="([^"]+)"/.exec(res.body)?.[1];
  if (res.status !== 200 || !cookie || !token) throw new Error(`no vote form at ${path} (${res.status})`);
  return { cookie, token };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

describe('64 concurrent clients voting over HTTP', () => {
  it('end with exactly one vote in the database per 303, on the choice each named, and no errors', {
    timeout: 120_000,
  }, async () => {
    const q = await createQuestion(t.database.db, 'Which is best?', -1, ['Red', 'Green', 'Blue', 'Gold']);
    const detailPath = `/polls/${q.id}/`;
    const statuses = new Map<number, number>();
    const sentPerChoice = q.choiceIds.map(() => 0);
    const okPerChoice = q.choiceIds.map(() => 0);
    const latencies: number[] = [];
    const deadline = AbortSignal.timeout(RUN_TIMEOUT_MS);

    async function client(index: number): Promise<void> {
      // Like a browser tab: one keep-alive connection, its own cookie and token.
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const { cookie, token } = await openForm(agent, deadline, detailPath);
        // Votes index, index + 64, index + 128…: 2,000 votes in all, spread over the four choices.
        for (let i = index; i < VOTES; i += CLIENTS) {
          const pick = i % q.choiceIds.length;
          sentPerChoice[pick]!++;
          const body = new URLSearchParams({
            csrf_token: token,
            choice: String(q.choiceIds[pick]),
          }).toString();
          const started = performance.now();
          const res = await request(
            agent,
            deadline,
            `${detailPath}vote/`,
            {
              cookie,
              origin: base,
              'content-type': 'application/x-www-form-urlencoded',
              'content-length': Buffer.byteLength(body),
            },
            body,
          );
          latencies.push(performance.now() - started);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status === 303 && res.headers.location === `/polls/${q.id}/results/`) okPerChoice[pick]!++;
        }
      } finally {
        agent.destroy();
      }
    }

    const started = performance.now();
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
    const elapsedMs = performance.now() - started;

    latencies.sort((a, b) => a - b);
    console.log(
      `[${t.testDb.engine}] ${CLIENTS} clients, ${VOTES} votes in ${Math.round(elapsedMs)} ms ` +
        `(${Math.round((VOTES / elapsedMs) * 1000)} votes/s; latency p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1)?.toFixed(0)} ms); ${sockets.size} TCP connections; ` +
        `statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );

    expect(Object.fromEntries(statuses)).toEqual({ 303: VOTES });
    expect(sentPerChoice).toEqual([500, 500, 500, 500]);
    expect(okPerChoice).toEqual(sentPerChoice);
    const stored = await votesOf(t.database.db, q.id);
    expect(stored.reduce((a, b) => a + b, 0)).toBe(statuses.get(303));
    expect(stored).toEqual(okPerChoice);
    // Keep-alive: each client sent its page view and all its votes on one connection.
    expect(sockets.size).toBe(CLIENTS);
  });
});
