import { describeDatabase } from '../../config/index.js';
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'backup restore',
  writes: true,
  summary: 'Replace the database and MEDIA_ROOT with an archive, all or nothing.',
  usage: 'slipway backup restore <name|latest> [--no-input]',
  description:
    'Restores into a staging database and a staging media folder first, checks them against the manifest, and\n' +
    'only then swaps them in. A damaged archive, a wrong key or a killed process leaves everything as it was.\n' +
    'Asks "Type \'yes\' to continue" first; --no-input skips the question. PostgreSQL: running servers keep\n' +
    'serving and see the restored data after the swap. PGlite: stop the server first.',
  positionals: true,
  options: { 'no-input': { type: 'boolean' } },
  async run(ctx, { values, positionals }) {
    // Loaded when it runs, not with the command list (run-cli.ts loads only the command run).
    const { findArchive } = await import('../../backup/archive-names.js');
    const { restoreBackup } = await import('../../backup/restore-backup.js');
    const { confirmDestruction } = await import('../../fixtures/confirm.js');
    const config = ctx.config();
    const archive = findArchive(config.backup.dir, positionals[0] ?? 'latest');
    await confirmDestruction(
      ctx,
      `You have requested a restore of ${archive.name}.\nThis will REPLACE all data in ${describeDatabase(config.database)}\n` +
        `and every file in ${config.mediaRoot} with the archive's.`,
      Boolean(values['no-input']),
    );
    // As every command that writes: say where the write goes (on stderr; stdout is the output).
    ctx.err(`Using ${describeDatabase(config.database)}`);
    const restored = await restoreBackup({ config }, { name: archive.path });
    ctx.out(
      `Restored ${restored.archive.name} (made ${restored.manifest.createdAt}): ` +
        `${Object.keys(restored.manifest.rowCounts).length} tables, ${restored.manifest.media.files} media file(s).`,
    );
    if (restored.pending.length > 0)
      ctx.out(`It predates ${restored.pending.length} migration(s) of this code: run slipway migrate.`);
    return 0;
  },
});
