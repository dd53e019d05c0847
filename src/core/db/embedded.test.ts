import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET_KEY } from '../testing/build-test-app.js';
import { freePort } from '../testing/free-port.js';
import { runSlipway, type Spawned, spawnSlipway } from '../testing/run-slipway.js';
import { createTestDatabase, describeOn, type TestDatabase } from '../testing/test-database.js';
import { acquireLock, isHeldLock } from './lock-file.js';
import { lockPathFor } from './open-database.js';

describe('the lock file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-lock-'));

  it('is taken, and released only by its holder', () => {
    const path = join(dir, 'a.lock');
    const lock = acquireLock(path, 'serve');
    expect(isHeldLock(lock)).toBe(true);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ pid: process.pid, command: 'serve' });
    if (isHeldLock(lock)) lock.release();
    expect(existsSync(path)).toBe(false);
  });

  it('reports a live holder instead of taking the lock', () => {
    const path = join(dir, 'b.lock');
    const holder = {
      pid: process.ppid,
      hostname: hostname(),
      command: 'serve',
      startedAt: new Date().toISOString(),
    };
    writeFileSync(path, JSON.stringify(holder));
    expect(acquireLock(path, 'migrate')).toEqual(holder);
  });

  it('takes over a lock whose process is gone', () => {
    const path = join(dir, 'c.lock');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(path, JSON.stringify({ pid: dead, hostname: hostname(), command: 'serve', startedAt: '' }));
    const lock = acquireLock(path, 'serve');
    expect(isHeldLock(lock)).toBe(true);
    if (isHeldLock(lock)) lock.release();
  });
});

describeOn('pglite', 'the embedded database while `slipway serve` holds it', () => {
  let testDb: TestDatabase;
  let server: Spawned;
  let env: Record<string, string>;

  beforeAll(async () => {
    testDb = await createTestDatabase({ migrated: true }); // AUTO_MIGRATE then has nothing to do
    env = {
      DATABASE_URL: testDb.url,
      SECRET_KEY: TEST_SECRET_KEY,
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      AUTO_MIGRATE: '1',
      LOG_LEVEL: 'info',
    };
    server = spawnSlipway(['serve'], env, testDb.tmp);
    await server.waitFor(/listening on/);
  });
  afterAll(async () => {
    server.child.kill('SIGKILL');
    await server.exited();
    await testDb.drop();
  });

  it('refuses a second server with a message naming the holder', async () => {
    const second = await runSlipway(
      ['serve'],
      { ...env, PORT: String(await freePort()) },
      { cwd: testDb.tmp },
    );
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(
        `^slipway serve: the embedded database in .* is in use by slipway serve \\(pid ${server.child.pid} `,
      ),
    );
    expect(second.stderr).not.toMatch(/\n\s+at /);
  });

  it('lets other commands use it through the server', async () => {
    const show = await runSlipway(['showmigrations'], env, { cwd: testDb.tmp });
    expect(show.stderr).toBe('');
    expect(show.stdout).toMatch(/^polls\n \[X\] 0001_initial {2}\(applied /m);
    const migrate = await runSlipway(['migrate'], env, { cwd: testDb.tmp });
    expect(migrate.stdout).toContain('No migrations to apply.');
    const check = await runSlipway(['check'], env, { cwd: testDb.tmp });
    expect(check.stdout).toContain('no issues');
    expect(check.code).toBe(0);
  });

  it('releases the lock on SIGTERM, after which commands open the folder directly', async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited()).toBe(0);
    expect(existsSync(lockPathFor(join(testDb.tmp, 'pglite')))).toBe(false);
    const show = await runSlipway(['showmigrations'], env, { cwd: testDb.tmp });
    expect(show.stdout).toMatch(/^polls\n \[X\] 0001_initial {2}\(applied /m);
  });
});
