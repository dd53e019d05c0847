import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { spawnSlipway } from '../testing/run-slipway.js';
import { createTestDatabase, describeOn, engineName, type TestDatabase } from '../testing/test-database.js';
import { listArchives } from './archive-names.js';
import { runSchedule } from './run-schedule.js';
import { ageKeyPair } from './testing.js';

/** Runs schedulers on `config` for `ms`, then aborts them as SIGTERM would; returns their log lines. */
async function runFor(
  configs: ReturnType<typeof loadConfig>[],
  ms: number,
): Promise<Record<string, unknown>[][]> {
  const controller = new AbortController();
  const logs = configs.map(() => [] as Record<string, unknown>[]);
  const runs = configs.map((config, i) =>
    runSchedule({ config, log: (l) => logs[i]!.push(l), signal: controller.signal }),
  );
  const all = Promise.all(runs);
  all.catch(() => undefined); // awaited below; a refusal must not go unhandled meanwhile
  await Promise.race([new Promise((r) => setTimeout(r, ms)), all]);
  controller.abort();
  await all;
  return logs;
}

describe(`backup schedule (${engineName})`, () => {
  let testDb: TestDatabase;
  const config = (schedule: string) =>
    loadConfig({
      env: {
        DATABASE_URL: testDb.url,
        DATA_DIR: testDb.tmp,
        BACKUP_SCHEDULE: schedule,
        BACKUP_KEEP_DAILY: '1',
      },
      cwd: testDb.tmp,
      requireSecretKey: false,
    });
  beforeAll(async () => {
    testDb = await createTestDatabase({ migrated: true });
  });
  afterAll(() => testDb?.drop());

  it('refuses an invalid cron expression in one line', async () => {
    await expect(runFor([config('every night')], 10)).rejects.toThrow(
      /^BACKUP_SCHEDULE "every night" is not a cron expression/,
    );
  });

  it('runs create then prune at the times of the expression, logs JSON, and stops when told', async () => {
    const [log] = await runFor([config('*/3 * * * * *')], 6500);
    // Without recipients create refuses: the run is logged as failed and the schedule goes on.
    const events = log!.map((l) => l['event']);
    expect(events[0]).toBe('schedule-started');
    expect(events.at(-1)).toBe('schedule-stopped');
    const runs = log!.filter((l) => l['event'] === 'backup-failed');
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const r of runs) expect(new Date(String(r['slot'])).getUTCSeconds() % 3).toBe(0);
    expect(runs[0]!['error']).toContain('refusing to write an unencrypted backup');
  });

  it('makes a backup per slot and prunes after each', async () => {
    const key = await ageKeyPair(testDb.tmp);
    const withKey = loadConfig({
      env: {
        DATABASE_URL: testDb.url,
        DATA_DIR: testDb.tmp,
        BACKUP_SCHEDULE: '*/3 * * * * *',
        BACKUP_KEEP_DAILY: '1',
        BACKUP_AGE_RECIPIENTS: key.recipient,
      },
      cwd: testDb.tmp,
      requireSecretKey: false,
    });
    const [log] = await runFor([withKey], 6500);
    const made = log!.filter((l) => l['event'] === 'backup');
    expect(made.length).toBeGreaterThanOrEqual(1);
    // keep-daily 1: after each run only the newest archive of today is left.
    expect(listArchives(withKey.backup.dir).map((a) => a.name)).toEqual([made.at(-1)!['name']]);
  });

  it('as a process, logs JSON lines and exits 0 on SIGTERM', async () => {
    const proc = spawnSlipway(
      ['backup', 'schedule'],
      { DATABASE_URL: testDb.url, DATA_DIR: testDb.tmp, BACKUP_SCHEDULE: '0 3 * * *' },
      testDb.tmp,
    );
    await proc.waitFor(/"event":"schedule-started"/, 15_000);
    proc.child.kill('SIGTERM');
    expect(await proc.exited()).toBe(0);
    const lines = proc
      .output()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l['event'])).toEqual(['schedule-started', 'schedule-stopped']);
    expect(lines[0]).toMatchObject({
      schedule: '0 3 * * *',
      next: expect.stringMatching(/T03:00:00\.000Z$/),
    });
  });

  describeOn('postgres', 'two schedulers on one database', () => {
    it('make one backup per slot between them', async () => {
      const env = {
        DATABASE_URL: testDb.url,
        DATA_DIR: testDb.tmp,
        BACKUP_SCHEDULE: '*/2 * * * * *',
        BACKUP_KEEP_DAILY: '100',
        BACKUP_AGE_RECIPIENTS: (await ageKeyPair(testDb.tmp, 'two')).recipient,
      };
      const a = loadConfig({
        env: { ...env, BACKUP_DIR: `${testDb.tmp}/a` },
        cwd: testDb.tmp,
        requireSecretKey: false,
      });
      const b = loadConfig({
        env: { ...env, BACKUP_DIR: `${testDb.tmp}/b` },
        cwd: testDb.tmp,
        requireSecretKey: false,
      });
      const logs = await runFor([a, b], 7000);
      const slots = logs
        .flat()
        .filter((l) => l['event'] === 'backup')
        .map((l) => l['slot']);
      const skipped = logs
        .flat()
        .filter((l) => l['event'] === 'backup-skipped')
        .map((l) => l['slot']);
      expect(slots.length).toBeGreaterThanOrEqual(2);
      expect(new Set(slots).size).toBe(slots.length); // never two backups for one slot
      expect(skipped.length).toBeGreaterThanOrEqual(1);
      // Both took part: each made some of the backups or skipped some slots.
      expect(
        logs.every((log) => log.some((l) => l['event'] === 'backup' || l['event'] === 'backup-skipped')),
      ).toBe(true);
    });
  });
});
