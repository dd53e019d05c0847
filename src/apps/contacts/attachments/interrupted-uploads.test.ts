import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../../core/testing/build-test-app.js';
import { removeStaleUploads, STALE_UPLOAD_MS } from './storage.js';

// A process killed while it writes an upload leaves `<id>.upload.tmp` behind, with no row.
const root = mkdtempSync(join(tmpdir(), 'slipway-uploads-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function leftover(media: string, name: string, ageMs: number): void {
  const dir = join(media, 'attachments');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, 'partial');
  const when = new Date(Date.now() - ageMs);
  utimesSync(path, when, when);
}

describe('temporary files of interrupted uploads', () => {
  it('removes those not written to for a while, and only those', async () => {
    const media = join(root, 'unit');
    leftover(media, `${'a'.repeat(32)}.upload.tmp`, STALE_UPLOAD_MS + 1000);
    leftover(media, `${'b'.repeat(32)}.upload.tmp`, 1000);
    leftover(media, `${'c'.repeat(32)}.pdf`, STALE_UPLOAD_MS + 1000);
    expect(await removeStaleUploads(media)).toBe(1);
    expect(readdirSync(join(media, 'attachments')).sort()).toEqual([
      `${'b'.repeat(32)}.upload.tmp`,
      `${'c'.repeat(32)}.pdf`,
    ]);
    expect(await removeStaleUploads(join(root, 'missing'))).toBe(0);
  });

  it('are removed when the server starts', async () => {
    const media = join(root, 'server');
    leftover(media, `${'d'.repeat(32)}.upload.tmp`, STALE_UPLOAD_MS + 1000);
    const t = await buildTestApp({ env: { MEDIA_ROOT: media } });
    try {
      expect(readdirSync(join(media, 'attachments'))).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
