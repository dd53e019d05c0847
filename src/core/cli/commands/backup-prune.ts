import { CommandError } from '../../errors.js';
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'backup prune',
  summary:
    'Delete the archives a daily/weekly/monthly retention does not keep (only lists them without --confirm).',
  usage: 'slipway backup prune --keep-daily <n> --keep-weekly <n> --keep-monthly <n> [--confirm]',
  description:
    'As borg prune: for each rule, daily then weekly then monthly, the newest archive of each of the last N days\n' +
    '(ISO weeks, months; UTC) that have one is kept; an archive kept by an earlier rule does not count for a\n' +
    'later one. Omitted rules keep 0. Archives made with --label are never pruned. Without --confirm nothing is\n' +
    'deleted.',
  options: {
    'keep-daily': { type: 'string' },
    'keep-weekly': { type: 'string' },
    'keep-monthly': { type: 'string' },
    confirm: { type: 'boolean' },
  },
  async run(ctx, { values }) {
    // Loaded when it runs, not with the command list (run-cli.ts loads only the command run).
    const { pruneBackups } = await import('../../backup/prune-backups.js');
    const policy = {
      daily: count(values['keep-daily'], 'keep-daily'),
      weekly: count(values['keep-weekly'], 'keep-weekly'),
      monthly: count(values['keep-monthly'], 'keep-monthly'),
    };
    const confirm = Boolean(values['confirm']);
    const plan = pruneBackups({ dir: ctx.config().backup.dir }, { policy, confirm });
    const labelled =
      plan.labelled.length > 0 ? `; ${plan.labelled.length} labelled archive(s) kept outside the policy` : '';
    for (const { archive, reason } of plan.keep) ctx.out(`keep    ${archive.name}  (${reason})`);
    for (const archive of plan.labelled) ctx.out(`keep    ${archive.name}  (labelled: never pruned)`);
    for (const archive of plan.delete) ctx.out(`${confirm ? 'deleted' : 'delete '} ${archive.name}`);
    ctx.out(
      confirm
        ? `Kept ${plan.keep.length}, deleted ${plan.delete.length}${labelled}.`
        : `Would keep ${plan.keep.length} and delete ${plan.delete.length}${labelled}: run again with --confirm to delete.`,
    );
    return 0;
  },
});

function count(value: unknown, name: string): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new CommandError(`--${name} expects a whole number, got "${String(value)}"`);
  return n;
}
