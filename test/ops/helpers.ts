import { type IncomingHttpHeaders, request } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../../src/core/paths.js';
import type { Spawned } from '../../src/core/testing/run-slipway.js';

/** A secret key long enough for `slipway serve`. */
export const SECRET_KEY = 'ops-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz';

/** The environment `slipway serve` needs besides the database. */
export function serveEnv(port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SECRET_KEY,
    ALLOWED_HOSTS: '127.0.0.1',
    HOST: '127.0.0.1',
    PORT: String(port),
    AUTO_MIGRATE: '1',
    LOG_LEVEL: 'info',
    // tsx-run fixtures start in a scratch folder: without this, tsx finds no tsconfig.json and
    // compiles the pages' JSX for React instead of hono/jsx.
    TSX_TSCONFIG_PATH: join(projectRoot, 'tsconfig.json'),
    ...extra,
  };
}

/**
 * `node --import <tsx> <file>`. The loader is given as a file URL because `--import tsx` resolves
 * from the working directory, which in these tests is a scratch folder without node_modules.
 */
export const tsxImport = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export const fixturePath = (name: string) => join(projectRoot, 'test', 'fixtures', name);

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** How long the request took, connection included. */
  ms: number;
}

/**
 * One GET on a new connection (no agent, `Connection: close`), so that "new connections are
 * refused" is observable. Rejects with the socket error (its `code`, e.g. ECONNREFUSED) or a
 * timeout after `timeoutMs`.
 */
export function httpGet(
  url: string,
  timeoutMs = 5000,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { ...headers, connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: Date.now() - started }),
      );
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () =>
      req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'TIMEOUT' })),
    );
    req.on('error', reject);
    req.end();
  });
}

/** Like {@link httpGet}, but a socket error becomes `{ error: code }` instead of a rejection. */
export async function tryGet(
  url: string,
  timeoutMs = 5000,
): Promise<HttpResult | { error: string; ms: number }> {
  const started = Date.now();
  try {
    return await httpGet(url, timeoutMs);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return { error: e.code ?? e.message, ms: Date.now() - started };
  }
}

/**
 * Calls `probe` every `intervalMs` until it returns something other than undefined, at most
 * `timeoutMs` and `maxAttempts`. Throws with `what` and the last value otherwise.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs = 20_000, intervalMs = 200, maxAttempts = 500 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() + intervalMs > deadline) break;
    await sleep(intervalMs);
  }
  const detail = last instanceof Error ? last.message : last === undefined ? '' : String(last);
  throw new Error(`timed out waiting until ${what}${detail ? `: ${detail}` : ''}`);
}

/** Keeps a request that a failing test never awaits from surfacing as an unhandled rejection. */
export function pending<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** True while the process has neither exited nor been killed. */
export const isAlive = (p: Spawned) => p.child.exitCode === null && p.child.signalCode === null;

/** Fails the probe at once when the process died, with its output, instead of polling on. */
export function assertAlive(p: Spawned, what = 'the server'): void {
  if (!isAlive(p))
    throw new Error(
      `${what} exited (code ${p.child.exitCode}, signal ${p.child.signalCode}); output:\n${p.output()}`,
    );
}

/** Polls `<base>/readyz` until it answers 200 (the process must stay alive meanwhile). */
export function waitReady(p: Spawned, base: string, timeoutMs = 30_000): Promise<HttpResult> {
  return pollUntil(
    `${base}/readyz answers 200`,
    async () => {
      assertAlive(p);
      const r = await tryGet(`${base}/readyz`, 3000);
      if ('status' in r && r.status === 200) return r;
      return undefined;
    },
    { timeoutMs, intervalMs: 200 },
  ).catch((error: Error) => {
    throw new Error(`${error.message}\noutput:\n${p.output()}`);
  });
}

/** When and how a process ended: records the moment of 'exit', which `exited()` does not. */
export function exitInfo(p: Spawned): Promise<{ code: number | null; signal: string | null; at: number }> {
  return new Promise((resolve) => {
    if (!isAlive(p)) {
      resolve({ code: p.child.exitCode, signal: p.child.signalCode, at: Date.now() });
      return;
    }
    p.child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() }));
  });
}

/** Tracks spawned processes so `killAll()` in afterEach/afterAll leaves none behind. */
export function processTracker() {
  const processes = new Set<Spawned>();
  return {
    track<T extends Spawned>(p: T): T {
      processes.add(p);
      return p;
    },
    async killAll(): Promise<void> {
      await Promise.all(
        [...processes].map(async (p) => {
          if (isAlive(p)) {
            p.child.kill('SIGKILL');
            await Promise.race([p.exited(), sleep(5000)]);
          }
        }),
      );
      processes.clear();
    },
  };
}

/** The non-empty lines of a process's output. */
export const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');
