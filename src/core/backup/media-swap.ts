import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { syncFolder } from './create-backup.js';

/** Names inside MEDIA_ROOT that belong to a restore under way, never to the media. */
export const RESTORE_PREFIX = '.slipway-restore-';

/**
 * Where a restore stages MEDIA_ROOT's new content, and how it swaps it in. Both must be on
 * MEDIA_ROOT's file system, so that the swap is made of renames:
 * - normally a sibling folder, `MEDIA_ROOT.restore-staging`, renamed over MEDIA_ROOT;
 * - when MEDIA_ROOT is a mount point (a Docker volume, which cannot be renamed), a folder inside
 *   it, `.slipway-restore-staging`; the swap then moves the old entries into
 *   `.slipway-restore-previous` and the staged ones up, entry by entry.
 * The previous content is removed after the swap.
 */
export interface MediaStaging {
  readonly dir: string;
  swapIn(): void;
  discard(): void;
}

export function stageMedia(media: string): MediaStaging {
  const mounted = existsSync(media) && statSync(media).dev !== statSync(dirname(media)).dev;
  const dir = mounted ? join(media, `${RESTORE_PREFIX}staging`) : `${media}.restore-staging`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return {
    dir,
    swapIn() {
      if (!mounted) {
        const old = `${media}.pre-restore`;
        rmSync(old, { recursive: true, force: true });
        if (existsSync(media)) renameSync(media, old);
        renameSync(dir, media);
        syncFolder(dirname(media));
        rmSync(old, { recursive: true, force: true });
        return;
      }
      const old = join(media, `${RESTORE_PREFIX}previous`);
      rmSync(old, { recursive: true, force: true });
      mkdirSync(old);
      for (const name of readdirSync(media))
        if (!name.startsWith(RESTORE_PREFIX)) renameSync(join(media, name), join(old, name));
      for (const name of readdirSync(dir)) renameSync(join(dir, name), join(media, name));
      syncFolder(media);
      rmSync(dir, { recursive: true, force: true });
      rmSync(old, { recursive: true, force: true });
    },
    discard() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
