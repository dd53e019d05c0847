import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { needs, requireTool } from '../testing/tools.js';
import { mediaFiles } from './media-files.js';
import { stageMedia } from './media-swap.js';

/** `mount -t tmpfs`, which needs root: how a Docker volume looks from inside the container. */
const tmpfsMount = requireTool({
  name: 'mount -t tmpfs (root)',
  find: () => (process.getuid?.() === 0 ? '/bin/mount' : undefined),
  install: 'run the tests as root (CI does)',
});

function swapped(media: string): void {
  mkdirSync(join(media, 'attachments'), { recursive: true });
  writeFileSync(join(media, 'attachments', 'old.txt'), 'old');
  const staging = stageMedia(media);
  mkdirSync(join(staging.dir, 'attachments'));
  writeFileSync(join(staging.dir, 'attachments', 'new.txt'), 'new');
  expect(mediaFiles(media)).toEqual(['attachments/old.txt']); // staging is never backed up
  staging.swapIn();
  expect(mediaFiles(media)).toEqual(['attachments/new.txt']);
}

describe('swapping restored media into MEDIA_ROOT', () => {
  const root = mkdtempSync(join(tmpdir(), 'slipway-media-swap-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('renames a staged folder over MEDIA_ROOT, leaving nothing beside it', () => {
    swapped(join(root, 'plain', 'media'));
    expect(readdirSync(join(root, 'plain'))).toEqual(['media']);
  });

  describe('when MEDIA_ROOT is a mount point (a Docker volume)', needs(tmpfsMount), () => {
    it('stages inside it and moves the entries, since a mount point cannot be renamed', () => {
      const media = join(root, 'mounted');
      mkdirSync(media);
      execFileSync(tmpfsMount.path(), ['-t', 'tmpfs', 'none', media]);
      try {
        swapped(media);
        expect(readdirSync(media)).toEqual(['attachments']);
      } finally {
        execFileSync('umount', [media]);
      }
    });
  });
});
