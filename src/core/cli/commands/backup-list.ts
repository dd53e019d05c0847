import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'backup list',
  summary: 'List the archives in BACKUP_DIR, newest first.',
  usage: 'slipway backup list [--json]',
  description:
    'Name, time, size, database size (the dump as pg_dump wrote it: compressed custom format on PostgreSQL,\n' +
    'plain SQL on PGlite), media files, the last applied migration, and\n' +
    'when `backup verify` last proved it restorable. Read from the summary beside each archive, so no key is needed.',
  options: { json: { type: 'boolean' } },
  async run(ctx, { values }) {
    // Loaded when it runs, not with the command list (run-cli.ts loads only the command run).
    const { formatBytes, listBackups } = await import('../../backup/list-backups.js');
    const backups = listBackups({ dir: ctx.config().backup.dir });
    if (values['json']) {
      ctx.out(JSON.stringify(backups, null, 2));
      return 0;
    }
    if (backups.length === 0) {
      ctx.out(`No archives in ${ctx.config().backup.dir}.`);
      return 0;
    }
    const rows = backups.map((b) => [
      b.name,
      b.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      formatBytes(b.size),
      b.summary ? formatBytes(b.summary.databaseBytes) : '?',
      b.summary ? String(b.summary.files) : '?',
      b.summary?.migrationsHead ?? '?',
      b.summary?.verifiedAt ? `yes (${b.summary.verifiedAt.slice(0, 10)})` : 'no',
    ]);
    const head = ['NAME', 'CREATED', 'SIZE', 'DATABASE', 'FILES', 'MIGRATIONS', 'VERIFIED'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const row of [head, ...rows])
      ctx.out(
        row
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      );
    return 0;
  },
});
