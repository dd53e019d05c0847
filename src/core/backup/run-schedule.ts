import { Cron } from 'croner';
import type pg from 'pg';
import type { Config } from '../config/index.js';
import { createBackup } from './create-backup.js';
import { BackupError } from './errors.js';
import { connectPostgres } from './pg-client.js';
import { pruneBackups } from './prune-backups.js';

export interface ScheduleDeps {
  config: Config;
  /** Writes one JSON log line. */
  log: (line: Record<string, unknown>) => void;
  /** Aborting it stops the schedule; a backup under way finishes first. */
  signal: AbortSignal;
}

/** The advisory lock of one slot: ('SLPB', the slot's Unix time in seconds, modulo 2^31). */
const SLOT_LOCK_CLASS = 0x534c5042;

/**
 * Runs `backup create` then `backup prune` (BACKUP_KEEP_*) at each time of the cron expression
 * BACKUP_SCHEDULE, until `signal` aborts; then resolves once the run under way is done.
 *
 * 1. Never two runs at once in one process (croner's `protect`: a slot that comes while the
 *    previous backup still runs is skipped and logged).
 * 2. On PostgreSQL, a run first takes the advisory lock of its slot on a connection of its own,
 *    and keeps it until the next slot: another scheduler (on this host or another) firing for
 *    the same slot finds it taken and skips, so the slot gets one backup.
 * 3. Each run logs one JSON line: `{"event":"backup","slot":…,"name":…,"deleted":[…]}`, or
 *    `"event":"backup-failed"` with the error, or `"event":"backup-skipped"` with why.
 *
 * @example
 *   await runSchedule({ config, log: (l) => console.log(JSON.stringify(l)), signal });
 */
export async function runSchedule(deps: ScheduleDeps): Promise<void> {
  const { config, log, signal } = deps;
  const expression = config.backup.schedule;
  if (!expression)
    throw new BackupError('BACKUP_SCHEDULE is not set: give a cron expression, e.g. "0 3 * * *"');
  let lockClient: pg.Client | undefined;
  let heldSlot: number | undefined;
  let running: Promise<void> | undefined;

  const takeSlot = async (slot: number): Promise<boolean> => {
    if (config.database.engine !== 'postgres') return true; // PGlite: the folder's lock lets one process in
    lockClient ??= await connectPostgres(config.database);
    const key = slot % 2 ** 31;
    const { rows } = await lockClient.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [
      SLOT_LOCK_CLASS,
      key,
    ]);
    if (!rows[0]?.ok) return false;
    if (heldSlot !== undefined && heldSlot !== key)
      await lockClient.query('SELECT pg_advisory_unlock($1, $2)', [SLOT_LOCK_CLASS, heldSlot]);
    heldSlot = key;
    return true;
  };

  const run = async (slotDate: Date) => {
    const slot = Math.round(slotDate.getTime() / 1000);
    const at = new Date(slot * 1000).toISOString();
    const started = Date.now();
    try {
      if (!(await takeSlot(slot))) {
        log({ event: 'backup-skipped', slot: at, reason: 'another scheduler took this slot' });
        return;
      }
      const made = await createBackup({ config });
      const plan = pruneBackups(
        { dir: config.backup.dir },
        { policy: { ...config.backup.keep }, confirm: true },
      );
      log({
        event: 'backup',
        slot: at,
        name: made.name,
        size: made.size,
        durationMs: Date.now() - started,
        deleted: plan.delete.map((a) => a.name),
      });
    } catch (error) {
      lockClient?.end().catch(() => undefined);
      if (lockClient) heldSlot = undefined;
      lockClient = undefined;
      log({ event: 'backup-failed', slot: at, error: (error as Error).message });
    }
  };

  let job: Cron;
  try {
    job = new Cron(
      expression,
      {
        protect: (j) =>
          log({
            event: 'backup-skipped',
            slot: j.currentRun()?.toISOString(),
            reason: 'the previous backup is still running',
          }),
      },
      (self: Cron) => {
        running = run(self.currentRun() ?? new Date());
        return running;
      },
    );
  } catch (error) {
    throw new BackupError(
      `BACKUP_SCHEDULE "${expression}" is not a cron expression: ${(error as Error).message}`,
    );
  }
  log({ event: 'schedule-started', schedule: expression, next: job.nextRun()?.toISOString() ?? null });
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  job.stop();
  await running;
  await lockClient?.end().catch(() => undefined);
  log({ event: 'schedule-stopped' });
}
