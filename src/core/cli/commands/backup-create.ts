import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'backup create',
  summary: 'Write one encrypted archive of the database, MEDIA_ROOT and a manifest into BACKUP_DIR.',
  usage: 'slipway backup create [--label <x>] [--no-encrypt]',
  description:
    'The archive is a tar stream encrypted with age (to BACKUP_AGE_RECIPIENTS, or with BACKUP_PASSPHRASE_FILE):\n' +
    'the database (one snapshot: database.dump, pg_dump custom format, on PostgreSQL; database.sql.gz, plain\n' +
    'SQL, on PGlite), media/… (every file under MEDIA_ROOT), manifest.json.\n' +
    'Without recipients or a passphrase it refuses, unless --no-encrypt. It is written as <name>.tmp and\n' +
    'renamed once complete and fsynced. On PGlite, stop the server first.',
  options: { label: { type: 'string' }, 'no-encrypt': { type: 'boolean' } },
  async run(ctx, { values }) {
    // Loaded when it runs, not with the command list (run-cli.ts loads only the command run).
    const { checkLabel } = await import('../../backup/archive-names.js');
    const { createBackup } = await import('../../backup/create-backup.js');
    const { formatBytes } = await import('../../backup/list-backups.js');
    const { lastAppliedMigration } = await import('../../backup/manifest.js');
    const label = values['label'] === undefined ? undefined : checkLabel(String(values['label']));
    const made = await createBackup(
      { config: ctx.config() },
      { label, noEncrypt: Boolean(values['no-encrypt']) },
    );
    const m = made.manifest;
    ctx.out(
      `Created ${made.name} (${formatBytes(made.size)}): ${Object.keys(m.rowCounts).length} tables, ` +
        `${m.media.files} media file(s), last migration applied ${lastAppliedMigration(m) ?? 'none'}`,
    );
    return 0;
  },
});
