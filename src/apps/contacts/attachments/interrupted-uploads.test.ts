import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../../core/testing/build-test-app.js';
import { attachment } from '../schema.js';
import { newPerson } from '../testing.js';
import { addAttachment, type MediaDeps, storedNamesInUse } from './service.js';
import {
  confirmStored,
  removeStaleUploads,
  removeUnconfirmedUploads,
  STALE_UPLOAD_MS,
  storedPath,
  storeFile,
} from './storage.js';

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

// A process killed after an upload's rename but before its row's commit leaves a stored file
// that no row names, with its pending note.
describe('uploads whose row never committed', () => {
  const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');
  const files = (media: string) => readdirSync(join(media, 'attachments')).sort();
  const ageAll = (media: string, ms: number) => {
    const when = new Date(Date.now() - ms);
    for (const name of files(media)) utimesSync(join(media, 'attachments', name), when, when);
  };

  it('removes the file with no row, keeps the committed ones, and never judges a file it did not store', async () => {
    const media = join(root, 'unconfirmed');
    const t = await buildTestApp({ env: { MEDIA_ROOT: media } });
    try {
      const deps: MediaDeps = { db: t.database.db, mediaRoot: media };
      const personId = (await newPerson(deps.db)).person.id;
      const named = (names: string[]) => storedNamesInUse(deps, names);
      // Confirmed: no note is left.
      const confirmed = await addAttachment(deps, { owner: { personId }, originalName: 'a.pdf', data: PDF });
      expect(files(media)).toEqual([basename(confirmed.storedName)]);
      // Killed before the commit: the file and its note, no row.
      const lost = await storeFile(media, PDF, 'b.pdf');
      // Killed after the commit, before the note went: the file, its note and its row.
      const committed = await storeFile(media, PDF, 'c.pdf');
      await deps.db.insert(attachment).values({ personId, originalName: 'c.pdf', ...committed });
      // A file that no row names and that has no note (its rows flushed; a fixture may name it again).
      const flushed = await storeFile(media, PDF, 'd.pdf');
      await confirmStored(media, flushed.storedName);
      expect(files(media)).toHaveLength(6);

      expect(await removeUnconfirmedUploads(media, named)).toBe(0); // the notes are recent
      ageAll(media, STALE_UPLOAD_MS + 1000);
      expect(await removeUnconfirmedUploads(media, named)).toBe(1);
      expect(existsSync(storedPath(media, lost.storedName))).toBe(false);
      expect(files(media)).toEqual(
        [confirmed.storedName, committed.storedName, flushed.storedName].map((n) => basename(n)).sort(),
      );
      expect(await removeUnconfirmedUploads(media, named)).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('are removed when the server starts', async () => {
    const media = join(root, 'unconfirmed-at-start');
    const lost = await storeFile(media, PDF, 'lost.pdf');
    ageAll(media, STALE_UPLOAD_MS + 1000);
    const t = await buildTestApp({ env: { MEDIA_ROOT: media } });
    try {
      expect(existsSync(storedPath(media, lost.storedName))).toBe(false);
      expect(files(media)).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
