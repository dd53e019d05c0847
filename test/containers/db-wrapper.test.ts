import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * deploy/postgres/wait-then-entrypoint.sh on the host, with `sh`: the official entrypoint is
 * replaced by a script that prints its arguments, "a volume" by a folder that is or is not a
 * mount point. test/containers/run.sh runs it in the real postgres container too.
 */

const wrapper = fileURLToPath(new URL('../../deploy/postgres/wait-then-entrypoint.sh', import.meta.url));
const linux = existsSync('/proc/self/mountinfo');
let work: string;
let fakeEntrypoint: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'slipway-db-wrapper-'));
  fakeEntrypoint = join(work, 'docker-entrypoint.sh');
  writeFileSync(fakeEntrypoint, '#!/bin/sh\necho "official entrypoint: $*"\n');
  chmodSync(fakeEntrypoint, 0o755);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  code: number | null;
  output: string;
  ms: number;
}

/** Runs the wrapper with `env`; `during` runs while it waits. */
function run(env: Record<string, string>, during?: () => void, duringAfterMs = 1500): Promise<Run> {
  const started = Date.now();
  const child = spawn('sh', [wrapper, 'postgres', '-c', 'max_connections=50'], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', SLIPWAY_DB_ENTRYPOINT: fakeEntrypoint, ...env },
  });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  const timer = during ? setTimeout(during, duringAfterMs) : undefined;
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: Date.now() - started });
    }),
  );
}

describe.runIf(linux)('the postgres entrypoint wrapper', () => {
  it('hands over at once, with the same arguments, when the volume and the secret are there', async () => {
    const secret = join(work, 'present');
    writeFileSync(secret, 'pw\n');
    // "/" is always a mount point.
    const result = await run({ SLIPWAY_DB_VOLUME: '/', POSTGRES_PASSWORD_FILE: secret });
    expect(result.code).toBe(0);
    expect(result.output).toBe('official entrypoint: postgres -c max_connections=50\n');
  });

  it('waits, saying for what, until the password file appears and is not empty', async () => {
    const secret = join(work, 'late');
    const result = await run(
      { SLIPWAY_DB_VOLUME: '/', POSTGRES_PASSWORD_FILE: secret, SLIPWAY_DB_WAIT_TIMEOUT: '20' },
      () => writeFileSync(secret, 'pw\n'),
    );
    expect(result.code).toBe(0);
    expect(result.output).toContain(
      `slipway-db: waiting up to 20s: the password file ${secret} does not exist`,
    );
    expect(result.output).toMatch(/slipway-db: storage and secret ready after \d+s/);
    expect(result.output).toContain('official entrypoint: postgres');
    expect(result.ms).toBeGreaterThanOrEqual(1500);
  });

  it('gives up after the timeout with exit 1 and the reason, and never hands over', async () => {
    const empty = join(work, 'empty');
    writeFileSync(empty, '');
    const notMounted = join(work, 'data');
    const result = await run({
      SLIPWAY_DB_VOLUME: notMounted,
      POSTGRES_PASSWORD_FILE: empty,
      SLIPWAY_DB_WAIT_TIMEOUT: '2',
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      `slipway-db: gave up after 2s: the data volume is not mounted at ${notMounted}; the password file ${empty} is empty`,
    );
    expect(result.output).not.toContain('official entrypoint');
  });

  it('skips the mount check when SLIPWAY_DB_VOLUME is empty, and the secret check without a file', async () => {
    const result = await run({ SLIPWAY_DB_VOLUME: '' });
    expect(result.code).toBe(0);
    expect(result.output).toBe('official entrypoint: postgres -c max_connections=50\n');
  });
});
