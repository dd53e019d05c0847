import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  type PgCluster,
  postgresServer,
  startPgCluster,
} from '../../src/core/testing/pg-cluster.js';
import { runSlipway } from '../../src/core/testing/run-slipway.js';
import { needs } from '../../src/core/testing/tools.js';
import { lines, serveEnv } from './helpers.js';

const PASSWORD = 'right-password-4711';
const WRONG = 'wrong-password-0815';
const STACK_FRAME = '    at ';

// PostgreSQL only: vitest.config.ts leaves this file out of PGlite runs.

describe('connecting with a wrong password', needs(postgresServer), () => {
  let cluster: PgCluster;
  let cwd: string;
  let wrongUrl: string;

  beforeAll(async () => {
    cluster = await startPgCluster({ password: PASSWORD });
    cwd = mkdtempSync(join(tmpdir(), 'slipway-ops-'));
    wrongUrl = `postgres://postgres:${WRONG}@127.0.0.1:${cluster.port}/postgres`;
  });
  afterAll(async () => {
    await cluster?.destroy();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it('wait-for-db fails at once with one line naming the authentication failure', async () => {
    const r = await runSlipway(['wait-for-db', '--timeout', '5'], { DATABASE_URL: wrongUrl }, { cwd });
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^slipway wait-for-db: .*password authentication failed for user "postgres"/);
    expect(r.stderr).not.toContain(STACK_FRAME);
    expect(r.stderr).not.toContain('attempt'); // an auth failure is not retried
    expect(r.stderr + r.stdout).not.toContain(WRONG);
  });

  it('wait-for-db with the right password reports the database ready', async () => {
    const r = await runSlipway(['wait-for-db', '--timeout', '5'], { DATABASE_URL: cluster.url }, { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /database is ready: PostgreSQL postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres/,
    );
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });

  it('serve exits 1 with one clear message', async () => {
    const port = await freePort();
    const r = await runSlipway(
      ['serve'],
      { DATABASE_URL: wrongUrl, ...serveEnv(port) },
      { cwd, timeoutMs: 30_000 },
    );
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^slipway serve: .*password authentication failed for user "postgres"/);
    expect(r.stderr).not.toContain(STACK_FRAME);
    expect(r.stdout).not.toContain(STACK_FRAME);
    expect(r.stderr + r.stdout).not.toContain(WRONG);
  });
});

describe('connecting to an unreachable server, or with an invalid configuration', () => {
  let cwd: string;

  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), 'slipway-ops-'));
  });
  afterAll(() => {
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it('wait-for-db against a closed port retries for --timeout, one line per attempt, then names the reason', async () => {
    const port = await freePort(); // nothing listens there
    const r = await runSlipway(
      ['wait-for-db', '--timeout', '3'],
      { DATABASE_URL: `postgres://postgres:pw@127.0.0.1:${port}/postgres` },
      { cwd, timeoutMs: 30_000 },
    );
    expect(r.code).toBe(1);
    // It waited out the timeout. How long the subprocess took overall depends on the machine's
    // load (startup); the time it reports waiting is measured inside it.
    expect(r.durationMs).toBeGreaterThanOrEqual(2500);
    const waited = Number(/not ready after (\d+\.\d)s/.exec(r.stderr)?.[1]);
    expect(waited).toBeGreaterThanOrEqual(2.9);
    expect(waited).toBeLessThan(4.5);

    const out = lines(r.stderr);
    const final = out.pop()!;
    expect(out.length).toBeGreaterThanOrEqual(3);
    out.forEach((line, i) => {
      expect(line).toMatch(
        new RegExp(
          `^waiting for the database \\(attempt ${i + 1}\\): .*ECONNREFUSED.*; retrying in \\d+\\.\\ds$`,
        ),
      );
    });
    expect(final).toMatch(
      new RegExp(
        `^slipway wait-for-db: database not ready after \\d+\\.\\ds \\(${out.length + 1} attempts\\): .*ECONNREFUSED`,
      ),
    );
    expect(r.stderr).not.toContain(STACK_FRAME);
  });

  it('refuses an invalid SQL_PORT with one message naming it', async () => {
    const r = await runSlipway(
      ['wait-for-db', '--timeout', '1'],
      { SQL_ENGINE: 'postgres', SQL_PORT: 'abc' },
      { cwd },
    );
    expect(r.code).toBe(1);
    const [first, ...rest] = lines(r.stderr);
    expect(first).toBe('slipway wait-for-db: invalid configuration:');
    expect(rest).toEqual([expect.stringMatching(/^ {2}- SQL_PORT: .*"abc"/)]);
    expect(r.stderr).not.toContain(STACK_FRAME);
  });

  it('refuses SQL_PASSWORD together with SQL_PASSWORD_FILE, naming both and leaking neither', async () => {
    const secretFile = join(cwd, 'db_password');
    writeFileSync(secretFile, 'from-the-file-secret\n');
    const r = await runSlipway(
      ['wait-for-db', '--timeout', '1'],
      { SQL_ENGINE: 'postgres', SQL_PASSWORD: 'from-the-env-secret', SQL_PASSWORD_FILE: secretFile },
      { cwd },
    );
    expect(r.code).toBe(1);
    expect(lines(r.stderr)[0]).toBe('slipway wait-for-db: invalid configuration:');
    expect(r.stderr).toMatch(/SQL_PASSWORD and SQL_PASSWORD_FILE are both set/);
    expect(r.stderr).not.toContain(STACK_FRAME);
    expect(r.stderr + r.stdout).not.toMatch(/from-the-(env|file)-secret/);
  });
});
