import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ContactValidationError } from '../errors.js';
import { ALLOWED_TYPES, binaryType, extensionOf, type FileType, PLAIN_TEXT, TextChecker } from './sniff.js';

/** The largest attachment accepted: 10 MiB. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

/** `attachments/<32 hex digits>.<extension>`: the only names ever used as paths under MEDIA_ROOT. */
const STORED_NAME = /^attachments\/[0-9a-f]{32}\.(pdf|png|jpg|gif|webp|txt)$/;

export interface StoredFile {
  /** Relative to MEDIA_ROOT, e.g. `attachments/3f2a….pdf`. */
  readonly storedName: string;
  readonly contentType: string;
  readonly size: number;
  readonly sha256: string;
}

const TYPES_TEXT = `${ALLOWED_TYPES.map((t) => t.label).join(', ')}`;

const formatBytes = (n: number) =>
  n >= 1024 * 1024
    ? `${+(n / 1024 / 1024).toFixed(1)} MiB`
    : n >= 1024
      ? `${+(n / 1024).toFixed(1)} KiB`
      : `${n} bytes`;

const rejected = (message: string) => new ContactValidationError([{ field: 'file', message }]);

/** The absolute path of a stored file; throws for anything but a name this module made. */
export function storedPath(mediaRoot: string, storedName: string): string {
  if (!STORED_NAME.test(storedName))
    throw new Error(`not a stored attachment name: ${JSON.stringify(storedName)}`);
  return join(mediaRoot, storedName);
}

/**
 * Writes an upload under `MEDIA_ROOT/attachments/` with a random name:
 * 1. the name's extension must be one of the allowed types' (`.pdf`, `.png`, `.jpg`, …);
 * 2. the bytes go to `<random>.upload.tmp` while their size is counted (more than `maxBytes`
 *    stops the upload) and their sha256 computed;
 * 3. the type is read from the content (magic bytes, else UTF-8 text) and must agree with the
 *    extension;
 * 4. the file is synced, a pending note `<random>.upload.pending` is written beside it, and it is
 *    renamed to `<random>.<extension of the detected type>`. The note goes once the file's row
 *    has committed (confirmStored), or, after a crash, with removeUnconfirmedUploads.
 * Anything refused leaves no file behind and throws a {@link ContactValidationError} on `file`.
 *
 * @example
 *   const stored = await storeFile(config.mediaRoot, Buffer.from('hello'), 'notes.txt');
 *   // { storedName: 'attachments/9c1e….txt', contentType: 'text/plain', size: 5, sha256: '2cf2…' }
 */
export async function storeFile(
  mediaRoot: string,
  source: Uint8Array | AsyncIterable<Uint8Array>,
  originalName: string,
  options: { maxBytes?: number } = {},
): Promise<StoredFile> {
  const maxBytes = options.maxBytes ?? MAX_ATTACHMENT_BYTES;
  const extension = extensionOf(originalName);
  if (!ALLOWED_TYPES.some((t) => t.extensions.includes(extension)))
    throw rejected(
      `Files ${extension ? `of type .${extension}` : 'without an extension'} are not accepted: only ${TYPES_TEXT}.`,
    );
  const dir = join(mediaRoot, 'attachments');
  await mkdir(dir, { recursive: true, mode: 0o750 });
  const id = randomBytes(16).toString('hex');
  const tmp = join(dir, `${id}.upload.tmp`);
  const file = await open(tmp, 'wx', 0o640);
  let type: FileType | undefined;
  let note: string | undefined; // the pending note, once written
  let size = 0;
  try {
    const hash = createHash('sha256');
    const text = new TextChecker();
    let head = new Uint8Array();
    for await (const chunk of source instanceof Uint8Array ? [source] : source) {
      size += chunk.length;
      if (size > maxBytes)
        throw rejected(`The file is larger than ${formatBytes(maxBytes)}, the most accepted.`);
      if (head.length < 16) head = Buffer.concat([head, chunk.subarray(0, 16 - head.length)]);
      hash.update(chunk);
      text.push(chunk);
      await file.write(chunk);
    }
    if (size === 0) throw rejected('The file is empty.');
    type = binaryType(head) ?? (text.end() ? PLAIN_TEXT : undefined);
    if (!type) throw rejected(`The content of this file is not one of the accepted types: ${TYPES_TEXT}.`);
    if (!type.extensions.includes(extension))
      throw rejected(`The file's name ends in .${extension}, but its content is ${type.label}.`);
    await file.sync();
    await file.close();
    const storedName = `attachments/${id}.${type.extension}`;
    note = pendingPath(mediaRoot, storedName);
    await writeFile(note, storedName, { flag: 'wx', mode: 0o640 });
    await rename(tmp, storedPath(mediaRoot, storedName));
    return { storedName, contentType: type.contentType, size, sha256: hash.digest('hex') };
  } catch (error) {
    await file.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    if (note) await unlink(note).catch(() => undefined);
    throw error;
  }
}

/** Removes a stored file; a file already gone is fine. */
export async function removeStoredFile(mediaRoot: string, storedName: string): Promise<void> {
  await confirmStored(mediaRoot, storedName);
  try {
    await unlink(storedPath(mediaRoot, storedName));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * How long an upload's temporary file may go unwritten before it is taken for the leftover of an
 * interrupted upload (a process killed mid-write): longer than the server's request timeout
 * (120 s), so no live upload on any instance sharing MEDIA_ROOT is ever removed.
 */
export const STALE_UPLOAD_MS = 3 * 60 * 1000;

/** The names of the files in `dir`; none when it does not exist (no upload yet). */
async function namesIn(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * Removes the `attachments/*.upload.tmp` files not written to for `olderThanMs`: what a process
 * killed during an upload leaves (a refused or failed upload removes its own). Returns how many.
 *
 * @example
 *   await removeStaleUploads(config.mediaRoot); // at start, then now and then
 */
export async function removeStaleUploads(
  mediaRoot: string,
  olderThanMs = STALE_UPLOAD_MS,
  now = Date.now(),
): Promise<number> {
  const dir = join(mediaRoot, 'attachments');
  const names = await namesIn(dir);
  let removed = 0;
  for (const name of names) {
    if (!/^[0-9a-f]{32}\.upload\.tmp$/.test(name)) continue;
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (!info || now - info.mtimeMs < olderThanMs) continue;
    await unlink(path).then(
      () => removed++,
      () => undefined,
    );
  }
  return removed;
}

/**
 * The note an upload leaves beside its file from just before the rename until its row has
 * committed: `<id>.upload.pending`, holding the stored name. A process killed in between leaves
 * it behind, which is how removeUnconfirmedUploads knows which files may lack their row, without
 * ever judging a file it did not store (one restored, or whose rows were flushed).
 */
function pendingPath(mediaRoot: string, storedName: string): string {
  return join(mediaRoot, 'attachments', `${basename(storedName).split('.')[0]}.upload.pending`);
}

/** Says that the row of a stored file has committed: its pending note goes. */
export async function confirmStored(mediaRoot: string, storedName: string): Promise<void> {
  await unlink(pendingPath(mediaRoot, storedName)).catch(() => undefined);
}

/**
 * Settles the uploads whose pending note (see pendingPath) is over `olderThanMs` old: a file that
 * no row names is removed, one whose row committed is kept; the note goes either way. `named`
 * answers which of the given stored names a row uses. Returns how many files were removed.
 *
 * @example
 *   await removeUnconfirmedUploads(config.mediaRoot, (names) => storedNamesInUse(deps, names));
 */
export async function removeUnconfirmedUploads(
  mediaRoot: string,
  named: (storedNames: string[]) => Promise<ReadonlySet<string>>,
  olderThanMs = STALE_UPLOAD_MS,
  now = Date.now(),
): Promise<number> {
  const dir = join(mediaRoot, 'attachments');
  const names = await namesIn(dir);
  const pending = new Map<string, string>(); // stored name → its note
  for (const name of names) {
    const id = /^([0-9a-f]{32})\.upload\.pending$/.exec(name)?.[1];
    if (!id) continue;
    const note = join(dir, name);
    const info = await stat(note).catch(() => undefined);
    if (!info || now - info.mtimeMs < olderThanMs) continue;
    const storedName = (await readFile(note, 'utf8').catch(() => '')).trim();
    if (STORED_NAME.test(storedName) && storedName.startsWith(`attachments/${id}.`))
      pending.set(storedName, note);
    else await unlink(note).catch(() => undefined);
  }
  if (pending.size === 0) return 0;
  const inUse = await named([...pending.keys()]);
  let removed = 0;
  for (const [storedName, note] of pending) {
    if (!inUse.has(storedName)) {
      try {
        await unlink(storedPath(mediaRoot, storedName));
        removed++;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') continue; // next time, then
      }
    }
    await unlink(note).catch(() => undefined);
  }
  return removed;
}
