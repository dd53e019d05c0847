import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createPerson } from '../../apps/contacts/service.js';
import { createToken } from '../api/tokens.js';
import { createUser } from '../auth/users.js';
import type { DatabaseConfig } from '../config/index.js';
import { openDatabase } from '../db/open-database.js';
import { projectRoot } from '../paths.js';
import type { RunningHaproxy } from './haproxy.js';

/**
 * Several `slipway serve` processes behind a proxy, a steady mixed load, and a rolling restart:
 * what test/ops/haproxy.test.ts and `npm run bench:rolling` share.
 */

export interface LoadTarget {
  /** The proxy's URL. */
  readonly base: string;
  readonly questionId: number;
  readonly choiceIds: readonly number[];
  /** An API token (`Authorization: Token …`). */
  readonly key: string;
}

/** One question with 4 choices at 0 votes, 20 persons, and a user's API token. */
export async function seedLoadData(config: DatabaseConfig): Promise<Omit<LoadTarget, 'base'>> {
  const database = await openDatabase(config, { log: pino({ level: 'silent' }), role: 'client' });
  try {
    const [question] = await database.query<{ id: number }>(
      `INSERT INTO polls_question (question_text, pub_date) VALUES ('Rolling restart?', now() - interval '1 minute') RETURNING id`,
    );
    const choices = await database.query<{ id: number }>(
      `INSERT INTO polls_choice (question_id, choice_text, votes)
         SELECT $1, 'Choice ' || c, 0 FROM generate_series(1, 4) c RETURNING id`,
      [question!.id],
    );
    for (let i = 1; i <= 20; i++) {
      await createPerson(database.db, {
        person: { firstName: `Person${i}`, lastName: `Fleet${i}` },
        addresses: [{ street: `${i} Main Street`, postalCode: '8001', city: 'Zürich', country: 'CH' }],
        telephones: [{ number: `+4144${String(1_000_000 + i).slice(1)}0` }],
        emails: [{ address: `fleet${i}@example.com` }],
      });
    }
    const user = await createUser(database.db, {
      username: `fleet-${randomBytes(3).toString('hex')}`,
      password: 'Quiet-Harbour-7731',
      isStaff: true,
      isSuperuser: true,
    });
    const { key } = await createToken(database.db, { userId: user.id, name: 'fleet' });
    return { questionId: question!.id, choiceIds: choices.map((c) => c.id), key };
  } finally {
    await database.close();
  }
}

/** The sum of the question's votes, to compare with the votes answered 303. */
export async function countVotes(config: DatabaseConfig, questionId: number): Promise<number> {
  const database = await openDatabase(config, { log: pino({ level: 'silent' }), role: 'client' });
  try {
    const [row] = await database.query<{ n: string | null }>(
      'SELECT sum(votes) AS n FROM polls_choice WHERE question_id = $1',
      [questionId],
    );
    return Number(row?.n ?? 0);
  } finally {
    await database.close();
  }
}

export interface Outcome {
  readonly kind: 'page' | 'detail' | 'api' | 'vote';
  readonly method: 'GET' | 'POST';
  readonly startedAt: number;
  readonly ms: number;
  /** The status, or the error's code when no response came. */
  readonly result: number | string;
  readonly ok: boolean;
}

export interface LoadReport {
  readonly outcomes: readonly Outcome[];
  readonly failures: readonly Outcome[];
  readonly votesAnswered303: number;
  readonly p50: number;
  readonly p99: number;
}

export interface SteadyLoad {
  /** How many requests are waiting for their answer right now. */
  inFlight(): number;
  /** Sends no more requests (before `durationMs` is over); `done` then waits for those under way. */
  stop(): void;
  /** Resolves once the load has run its course and every request has ended. */
  done: Promise<LoadReport>;
}

const EXPECTED: Record<Outcome['kind'], number> = { page: 200, detail: 200, api: 200, vote: 303 };

export const percentile = (sorted: readonly number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/**
 * Sends `rate` requests a second for `durationMs` (or until `stop()`), at fixed intervals whatever the answers (an
 * open model, so a stall shows as failures and latency, not as a slower client): in turn the
 * polls index, the question's page, the API's person list and a vote (POST with the CSRF cookie
 * and token). A request fails when it gets no answer within 10 s, or another status than 200
 * (303 for a vote).
 */
export async function steadyLoad(target: LoadTarget, rate: number, durationMs: number): Promise<SteadyLoad> {
  const first = await fetch(`${target.base}/polls/${target.questionId}/`);
  const csrf = /csrftoken=([^;]+)/.exec(first.headers.getSetCookie().join(';'))?.[1];
  if (!csrf) throw new Error(`no CSRF cookie from the question's page (status ${first.status})`);
  const outcomes: Outcome[] = [];
  let inFlight = 0;
  let sent = 0;
  const send = async (kind: Outcome['kind']) => {
    const startedAt = Date.now();
    inFlight++;
    const headers: Record<string, string> = { cookie: `csrftoken=${csrf}` };
    let url = `${target.base}/polls/`;
    let init: RequestInit = {};
    if (kind === 'detail') url = `${target.base}/polls/${target.questionId}/`;
    if (kind === 'api') {
      url = `${target.base}/api/v1/contacts/person/`;
      headers['authorization'] = `Token ${target.key}`;
    }
    if (kind === 'vote') {
      url = `${target.base}/polls/${target.questionId}/vote/`;
      headers['content-type'] = 'application/x-www-form-urlencoded';
      const choice = target.choiceIds[sent % target.choiceIds.length];
      init = { method: 'POST', body: `choice=${choice}&csrf_token=${csrf}` };
    }
    let result: number | string;
    try {
      const response = await fetch(url, {
        ...init,
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      result = response.status;
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      result = e.cause?.code ?? e.name;
    }
    inFlight--;
    outcomes.push({
      kind,
      method: kind === 'vote' ? 'POST' : 'GET',
      startedAt,
      ms: Date.now() - startedAt,
      result,
      ok: result === EXPECTED[kind],
    });
  };
  const kinds: Outcome['kind'][] = ['page', 'detail', 'api', 'vote'];
  const total = Math.round((rate * durationMs) / 1000);
  const started = Date.now();
  const requests: Promise<void>[] = [];
  let stopped = false;
  let wake: (() => void) | undefined;
  const done = (async () => {
    for (let i = 0; i < total && !stopped; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0)
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, wait);
        });
      if (stopped) break;
      sent = i;
      requests.push(send(kinds[i % kinds.length]!));
    }
    await Promise.all(requests);
    const latencies = outcomes.map((o) => o.ms).sort((a, b) => a - b);
    return {
      outcomes,
      failures: outcomes.filter((o) => !o.ok),
      votesAnswered303: outcomes.filter((o) => o.kind === 'vote' && o.result === 303).length,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
    };
  })();
  return {
    inFlight: () => inFlight,
    stop: () => {
      stopped = true;
      wake?.();
    },
    done,
  };
}

export interface Instance {
  readonly name: string;
  readonly port: number;
  process: ChildProcess;
}

/** Starts `slipway serve` (one worker) on 127.0.0.1:`port`; its output is kept in `output`. */
export function startInstance(
  name: string,
  port: number,
  env: Record<string, string>,
  cwd: string,
  output: string[] = [],
): Instance {
  const child = spawn(process.execPath, [`${projectRoot}/bin/slipway.js`, 'serve'], {
    cwd,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      ALLOWED_HOSTS: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: Buffer) => output.push(`[${name}] ${d}`);
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { name, port, process: child };
}

/** Waits until every server named is in `state` in HAProxy's stats; returns how long it took. */
export async function waitForState(
  proxy: RunningHaproxy,
  names: readonly string[],
  state: 'UP' | 'DOWN',
  timeoutMs: number,
): Promise<number> {
  const started = Date.now();
  let states: Record<string, string> = {};
  while (Date.now() - started < timeoutMs) {
    states = await proxy.states();
    if (names.every((n) => states[n]?.startsWith(state))) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `HAProxy did not see ${names.join(', ')} ${state} within ${timeoutMs} ms: ${JSON.stringify(states)}`,
  );
}

/** Sends SIGTERM and resolves with the exit code once the process has exited. */
export function stopInstance(instance: Instance): Promise<number | null> {
  const child = instance.process;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

/**
 * The rolling restart of a deploy, one instance after another: 1. SIGTERM (readiness 503,
 * SHUTDOWN_DELAY, drain, exit; the proxy has taken it out of rotation); 2. start a new process on the same port; 3. wait until the proxy
 * routes to it again before the next. Returns each step's exit code and how long it took.
 */
export async function rollingRestart(
  instances: Instance[],
  proxy: RunningHaproxy,
  restart: (instance: Instance) => ChildProcess,
): Promise<{ name: string; exitCode: number | null; ms: number }[]> {
  const steps: { name: string; exitCode: number | null; ms: number }[] = [];
  for (const instance of instances) {
    const started = Date.now();
    const exitCode = await stopInstance(instance);
    await waitForState(proxy, [instance.name], 'DOWN', 5000);
    instance.process = restart(instance);
    await waitForState(proxy, [instance.name], 'UP', 30_000);
    steps.push({ name: instance.name, exitCode, ms: Date.now() - started });
  }
  return steps;
}
