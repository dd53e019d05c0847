import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Config } from '../config/index.js';
import { type ArchiveFile, findArchive } from './archive-names.js';
import { checkRestored } from './check-restored.js';
import { BackupError } from './errors.js';
import { isDatabaseMember, type Manifest, MEDIA_PREFIX } from './manifest.js';
import { stageMedia } from './media-swap.js';
import { openArchive } from './read-archive.js';
import { createStaging, loadMember } from './staging-database.js';

export interface RestoredBackup {
  archive: ArchiveFile;
  manifest: Manifest;
  /** Migrations of this code that the backup predates: run slipway migrate. */
  pending: string[];
}

/**
 * Replaces the live database and MEDIA_ROOT with an archive's, all or nothing.
 *
 * 1. Creates the staging areas, removing what a killed restore left: a staging database (see
 *    {@link createStaging}) and `MEDIA_ROOT.restore-staging`.
 * 2. Streams the archive into them, checking every member against the manifest.
 * 3. Checks the staged database: row counts and migrations as in the manifest, no applied
 *    migration unknown to this code.
 * 4. Only then swaps: the database (renamed in on the server; the PGlite folder renamed in),
 *    then the media folder (renamed in). The previous ones are removed.
 * Anything that fails before step 4 (a damaged archive, a wrong key, a full disk, a killed
 * process) leaves the live database and media exactly as they were.
 *
 * @example
 *   await restoreBackup({ config }, { name: 'latest' });
 */
export async function restoreBackup(
  deps: { config: Config },
  input: { name: string },
): Promise<RestoredBackup> {
  const { config } = deps;
  const archive = findArchive(config.backup.dir, input.name);
  const media = config.mediaRoot;
  const opened = await openArchive(archive, config.backup); // a wrong or missing key fails here
  const staging = await createStaging(config.database, 'restore', config.backup.dir);
  let discardMedia: () => void = () => undefined;
  try {
    const stagingMedia = stageMedia(media);
    discardMedia = () => stagingMedia.discard();
    let loaded = false;
    const manifest = await beforeSwap(archive.name, () =>
      opened.read(async (name, data) => {
        if (isDatabaseMember(name)) {
          await loadMember(staging, name, data);
          loaded = true;
        } else if (name.startsWith(MEDIA_PREFIX)) {
          const target = join(stagingMedia.dir, name.slice(MEDIA_PREFIX.length));
          mkdirSync(dirname(target), { recursive: true });
          await pipeline(data, createWriteStream(target, { mode: 0o644, flush: true }));
        }
      }),
    );
    if (!loaded) throw new BackupError(`${archive.name} has no database member; nothing was changed`);
    const check = checkRestored(await staging.info(), manifest);
    if (check.problems.length > 0)
      throw new BackupError(
        `${archive.name} does not restore as it was backed up: ${check.problems.join('; ')}; nothing was changed`,
      );

    await staging.swapIn();
    stagingMedia.swapIn();
    return { archive, manifest, pending: check.pending };
  } finally {
    discardMedia();
    await staging.discard();
  }
}

/**
 * Runs a step before the swap, so that whatever it throws says that nothing was changed, in
 * one line: a full disk (ENOSPC, EDQUOT) by name, other system errors by their message.
 */
async function beforeSwap<T>(archive: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (error instanceof BackupError) {
      if (message.includes('nothing was changed')) throw error;
      throw new BackupError(`${message}; nothing was changed`, { cause: error });
    }
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOSPC' || code === 'EDQUOT'
        ? `no space left on device (${code}) while staging ${archive}`
        : `restoring ${archive} failed: ${message}`;
    throw new BackupError(`${why}; nothing was changed`, { cause: error });
  }
}
