import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../testing/run-command.js';
import { archiveName, listArchives } from './archive-names.js';
import { planPrune } from './prune-backups.js';

/**
 * One archive a day at 03:00 UTC from 2025-01-01 to 2026-03-31 (as `backup schedule` makes them,
 * unlabelled), plus a second one on the last day and an old one made with --label.
 */
function yearOfArchives(dir: string): void {
  for (let t = Date.UTC(2025, 0, 1, 3); t <= Date.UTC(2026, 2, 31, 3); t += 86_400_000) {
    const name = archiveName(new Date(t), undefined, true);
    writeFileSync(join(dir, name), 'x');
    writeFileSync(join(dir, `${name}.json`), '{}');
  }
  writeFileSync(join(dir, archiveName(new Date(Date.UTC(2026, 2, 31, 15)), undefined, true)), 'x');
  writeFileSync(join(dir, archiveName(new Date(Date.UTC(2025, 5, 10, 12)), 'before-upgrade', true)), 'x');
}

describe('backup prune', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-prune-'));
  yearOfArchives(dir);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the newest archive of each of the last N days, then weeks, then months, as borg prune', () => {
    const plan = planPrune(listArchives(dir), { daily: 7, weekly: 4, monthly: 6 });
    const kept = plan.keep.map(
      ({ archive, reason }) => `${archive.createdAt.toISOString().slice(0, 13)} ${reason}`,
    );
    expect(kept).toEqual([
      // Daily: the last 7 days, the newest of 2026-03-31 being the 15:00 one.
      '2026-03-31T15 daily 1',
      '2026-03-30T03 daily 2',
      '2026-03-29T03 daily 3',
      '2026-03-28T03 daily 4',
      '2026-03-27T03 daily 5',
      '2026-03-26T03 daily 6',
      '2026-03-25T03 daily 7',
      // Weekly: ISO weeks whose newest archive is not kept already (W13 and W12's Sundays are).
      '2026-03-22T03 weekly 1',
      '2026-03-15T03 weekly 2',
      '2026-03-08T03 weekly 3',
      '2026-03-01T03 weekly 4',
      // Monthly: March is kept by daily; February's newest is the 28th, and so on.
      '2026-02-28T03 monthly 1',
      '2026-01-31T03 monthly 2',
      '2025-12-31T03 monthly 3',
      '2025-11-30T03 monthly 4',
      '2025-10-31T03 monthly 5',
      '2025-09-30T03 monthly 6',
    ]);
    expect(plan.delete).toHaveLength(456 - 17);
    expect(plan.labelled.map((a) => a.name)).toEqual(['slipway-20250610T120000Z-before-upgrade.tar.age']);
  });

  it('never counts or deletes an archive made with --label', () => {
    const labelled = archiveName(new Date(Date.UTC(2026, 2, 31, 18)), 'before-upgrade', true);
    writeFileSync(join(dir, labelled), 'x');
    try {
      const plan = planPrune(listArchives(dir), { daily: 1, weekly: 0, monthly: 0 });
      // The newest archive is labelled: the daily rule keeps the newest unlabelled one instead.
      expect(plan.keep.map((k) => k.archive.name)).toEqual(['slipway-20260331T150000Z.tar.age']);
      expect(plan.delete.some((a) => a.label !== undefined)).toBe(false);
      expect(plan.labelled.map((a) => a.name)).toEqual([
        labelled,
        'slipway-20250610T120000Z-before-upgrade.tar.age',
      ]);
    } finally {
      rmSync(join(dir, labelled));
    }
  });

  it('lists without deleting, and deletes the rest (and their summaries) with --confirm', async () => {
    const env = { BACKUP_DIR: dir, DATA_DIR: dir };
    const args = ['backup', 'prune', '--keep-daily', '7', '--keep-weekly', '4', '--keep-monthly', '6'];
    const dry = await runCommand(args, env, { cwd: dir });
    expect(dry.stdout).toContain(
      'Would keep 17 and delete 439; 1 labelled archive(s) kept outside the policy: run again with --confirm to delete.',
    );
    expect(dry.stdout).toContain(
      'keep    slipway-20250610T120000Z-before-upgrade.tar.age  (labelled: never pruned)',
    );
    expect(listArchives(dir)).toHaveLength(457);

    const real = await runCommand([...args, '--confirm'], env, { cwd: dir });
    expect(real).toMatchObject({ code: 0 });
    expect(real.stdout).toContain('Kept 17, deleted 439; 1 labelled archive(s) kept outside the policy.');
    expect(listArchives(dir).map((a) => a.label ?? '')).toEqual([
      ...Array<string>(17).fill(''),
      'before-upgrade',
    ]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toHaveLength(16); // the 15:00 one had none
  });

  it('refuses a policy that keeps nothing, and a count that is not a number', async () => {
    const none = await runCommand(['backup', 'prune', '--confirm'], { BACKUP_DIR: dir }, { cwd: dir });
    expect(none).toMatchObject({ code: 1 });
    expect(none.stderr).toContain('refusing to delete every archive');
    const bad = await runCommand(['backup', 'prune', '--keep-daily', 'x'], { BACKUP_DIR: dir }, { cwd: dir });
    expect(bad.stderr.trim()).toBe('slipway backup: --keep-daily expects a whole number, got "x"');
  });

  it('names a missing or unknown sub-command, or an option of another one, in one line', async () => {
    const line = async (args: string[]) => {
      const r = await runCommand(['backup', ...args], { BACKUP_DIR: dir }, { cwd: dir });
      expect(r.code).toBe(1);
      return r.stderr.trim();
    };
    expect(await line([])).toMatch(
      /^slipway backup: missing sub-command\. Usage: slipway backup <create\|list\|verify\|restore\|prune\|schedule> …$/,
    );
    expect(await line(['frobnicate'])).toMatch(/^slipway backup: unknown sub-command "frobnicate"/);
    expect(await line(['list', '--confirm'])).toBe(
      'slipway backup: backup list has no option --confirm. Usage: slipway backup list [--json]',
    );
  });
});
