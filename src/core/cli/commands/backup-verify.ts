import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'backup verify',
  summary: 'Decrypt an archive, check every checksum, restore it into a scratch database and check it.',
  usage: 'slipway backup verify <name|latest>',
  description:
    'Nothing live is touched: the scratch database (a temporary database on the server, a temporary PGlite\n' +
    'folder in BACKUP_DIR) is dropped afterwards. Exits 1 with the reason on any mismatch. Needs\n' +
    'BACKUP_AGE_IDENTITY_FILE (or BACKUP_PASSPHRASE_FILE) for an encrypted archive.',
  positionals: true,
  async run(ctx, { positionals }) {
    // Loaded when it runs, not with the command list (run-cli.ts loads only the command run).
    const { verifyBackup } = await import('../../backup/verify-backup.js');
    const { lastAppliedMigration } = await import('../../backup/manifest.js');
    const name = positionals[0] ?? 'latest';
    const verified = await verifyBackup({ config: ctx.config() }, { name });
    const m = verified.manifest;
    ctx.out(
      `${verified.archive.name} is good: ${m.members.length} member(s) match their SHA-256, and the database restores ` +
        `with the same row counts in ${Object.keys(m.rowCounts).length} tables and the same ${m.migrations.length} migration(s)` +
        `${m.migrations.length > 0 ? `, the last applied ${lastAppliedMigration(m)}` : ''}.`,
    );
    if (verified.pending.length > 0)
      ctx.out(
        `After restoring it, slipway migrate will apply ${verified.pending.length} newer migration(s).`,
      );
    return 0;
  },
});
