import { rmSync } from 'node:fs';
import { type ArchiveFile, listArchives, sidecarPath } from './archive-names.js';
import { BackupError } from './errors.js';

export interface KeepPolicy {
  daily: number;
  weekly: number;
  monthly: number;
}

export interface PrunePlan {
  /** Archives kept, newest first, each with the rule that keeps it: 'daily 1', 'monthly 3'. */
  keep: { archive: ArchiveFile; reason: string }[];
  delete: ArchiveFile[];
  /** Archives made with --label, newest first: never pruned (a manual "before-upgrade" snapshot). */
  labelled: ArchiveFile[];
}

const PERIODS: [keyof KeepPolicy, (d: Date) => string][] = [
  ['daily', (d) => d.toISOString().slice(0, 10)],
  ['weekly', isoWeek],
  ['monthly', (d) => d.toISOString().slice(0, 7)],
];

/**
 * Decides what a grandfather-father-son policy keeps, as `borg prune` does: for each rule in the
 * order daily, weekly, monthly, walk the archives newest first and keep the newest of each
 * period (UTC day, ISO week, month) until N periods are kept; an archive another rule already
 * keeps does not count towards this one. Everything else is deleted.
 *
 * Archives made with `--label` are outside the policy: they are neither counted nor deleted
 * (an operator's "before-upgrade" snapshot stays until they delete it themselves).
 *
 * @example
 *   planPrune(listArchives(dir), { daily: 7, weekly: 4, monthly: 6 });
 */
export function planPrune(archives: readonly ArchiveFile[], policy: KeepPolicy): PrunePlan {
  if (policy.daily + policy.weekly + policy.monthly <= 0)
    throw new BackupError(
      'refusing to delete every archive: give --keep-daily, --keep-weekly or --keep-monthly',
    );
  const byAge = [...archives].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const newestFirst = byAge.filter((a) => a.label === undefined);
  const kept = new Map<string, string>();
  for (const [rule, periodOf] of PERIODS) {
    const n = policy[rule];
    if (n <= 0) continue;
    let last: string | undefined;
    let count = 0;
    for (const archive of newestFirst) {
      const period = periodOf(archive.createdAt);
      if (period === last) continue;
      last = period;
      if (kept.has(archive.name)) continue;
      count++;
      kept.set(archive.name, `${rule} ${count}`);
      if (count === n) break;
    }
  }
  return {
    keep: newestFirst
      .filter((a) => kept.has(a.name))
      .map((archive) => ({ archive, reason: kept.get(archive.name)! })),
    delete: newestFirst.filter((a) => !kept.has(a.name)),
    labelled: byAge.filter((a) => a.label !== undefined),
  };
}

/** Plans a prune of BACKUP_DIR and, when `confirm`, deletes the archives (and their summaries) it does not keep. */
export function pruneBackups(
  deps: { dir: string },
  input: { policy: KeepPolicy; confirm: boolean },
): PrunePlan {
  const plan = planPrune(listArchives(deps.dir), input.policy);
  if (input.confirm)
    for (const archive of plan.delete) {
      rmSync(archive.path, { force: true });
      rmSync(sidecarPath(archive.path), { force: true });
    }
  return plan;
}

function isoWeek(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day); // the Thursday of this week decides its year
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
