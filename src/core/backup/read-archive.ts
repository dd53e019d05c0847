import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import tar from 'tar-stream';
import type { BackupConfig } from '../config/index.js';
import type { ArchiveFile } from './archive-names.js';
import { decryptFile, isAgeFile } from './encryption.js';
import { BackupError } from './errors.js';
import { FORMAT, MANIFEST_MEMBER, type Manifest } from './manifest.js';
import { isSafeMemberPath } from './media-files.js';

/** Called for each member but the manifest, in archive order; it may read `data` or leave it. */
export type MemberHandler = (name: string, data: Readable) => Promise<void>;

/**
 * Reads an archive as it streams: decrypts it (age, if it is an age file), hands every member
 * to `onMember`, and checks at the end that the members are exactly those of manifest.json with
 * their sizes and SHA-256. Resolves with the manifest only when everything matched; otherwise
 * throws one {@link BackupError} naming the first problem. Whatever `onMember` did with the
 * data must therefore stay provisional (a staging area) until this resolves.
 */
export async function readArchive(
  archive: ArchiveFile,
  config: BackupConfig,
  onMember: MemberHandler,
): Promise<Manifest> {
  return (await openArchive(archive, config)).read(onMember);
}

/** An archive whose key has been checked, ready to be read once. */
export interface OpenedArchive {
  read(onMember: MemberHandler): Promise<Manifest>;
}

/**
 * Opens an archive and, if it is encrypted, checks the key against its header: a wrong or
 * missing key fails here, before the caller prepares anything. `read` then works as
 * {@link readArchive}.
 */
export async function openArchive(archive: ArchiveFile, config: BackupConfig): Promise<OpenedArchive> {
  const encrypted = isAgeFile(archive.path);
  if (archive.encrypted && !encrypted) throw damagedError(archive, 'it does not start like an age file');
  const source: Readable = encrypted
    ? await decryptFile(archive.path, config, archive.name)
    : createReadStream(archive.path);
  return { read: (onMember) => readMembers(archive, source, onMember) };
}

function damagedError(archive: ArchiveFile, why: string, cause?: unknown): BackupError {
  return new BackupError(`${archive.name} is damaged or incomplete: ${why}; nothing was changed`, { cause });
}

async function readMembers(
  archive: ArchiveFile,
  source: Readable,
  onMember: MemberHandler,
): Promise<Manifest> {
  const damaged = (why: string, cause?: unknown) => damagedError(archive, why, cause);

  const extract = tar.extract();
  const feeding = pipeline(source, extract).catch((error: unknown) => {
    extract.destroy(error as Error);
    return error;
  });
  const seen = new Map<string, { size: number; sha256: string }>();
  let manifestText: string | undefined;
  try {
    for await (const entry of extract as AsyncIterable<Readable & { header: tar.Header }>) {
      const name = entry.header.name;
      if (entry.header.type !== 'file' || !isSafeMemberPath(name))
        throw damaged(`unexpected member "${name}"`);
      if (name === MANIFEST_MEMBER) {
        const chunks: Buffer[] = [];
        for await (const chunk of entry as AsyncIterable<Buffer>) chunks.push(chunk);
        manifestText = Buffer.concat(chunks).toString('utf8');
        continue;
      }
      if (manifestText !== undefined || seen.has(name)) throw damaged(`unexpected member "${name}"`);
      const hash = createHash('sha256');
      let size = 0;
      const data = Readable.from(
        (async function* () {
          for await (const chunk of entry as AsyncIterable<Buffer>) {
            hash.update(chunk);
            size += chunk.length;
            yield chunk;
          }
        })(),
        { objectMode: false },
      );
      await onMember(name, data);
      for await (const _ of data); // what the handler left unread
      seen.set(name, { size, sha256: hash.digest('hex') });
    }
  } catch (error) {
    // A damaged archive can reach the handler first as a member cut short (pg_restore then fails
    // on its end of input): give the decryption or tar error a moment to surface, since it is the
    // cause. A handler that failed on its own (a full disk) leaves the source unread, so the wait
    // is bounded. A premature close is ours: leaving the loop above stops the tar stream.
    const fed = await Promise.race([feeding, sleep(1000).then(() => undefined)]);
    const cause =
      (fed as NodeJS.ErrnoException | undefined)?.code === 'ERR_STREAM_PREMATURE_CLOSE' ? undefined : fed;
    throw asArchiveError(cause ?? error, damaged);
  }
  const fed = await feeding;
  if (fed) throw asArchiveError(fed, damaged);
  if (manifestText === undefined) throw damaged('it has no manifest.json at its end (truncated?)');
  let manifest: Manifest;
  try {
    manifest = JSON.parse(manifestText) as Manifest;
  } catch {
    throw damaged('manifest.json is not JSON');
  }
  if (manifest.format !== FORMAT) throw damaged(`unknown format ${JSON.stringify(manifest.format)}`);
  for (const member of manifest.members) {
    const got = seen.get(member.name);
    if (!got) throw damaged(`${member.name} is missing`);
    if (got.size !== member.size || got.sha256 !== member.sha256)
      throw damaged(`${member.name} does not match its size and SHA-256 in the manifest`);
    seen.delete(member.name);
  }
  const extra = [...seen.keys()][0];
  if (extra) throw damaged(`${extra} is not in the manifest`);
  return manifest;
}

function asArchiveError(error: unknown, damaged: (why: string, cause?: unknown) => BackupError): Error {
  if (error instanceof BackupError) return error;
  const message = (error as Error).message ?? String(error);
  if (
    /invalid tag|final chunk|ciphertext|unexpected end|premature|truncated|invalid tar|checksum/i.test(
      message,
    )
  )
    return damaged(
      /invalid tag|final chunk|ciphertext/i.test(message)
        ? 'it fails age authentication (changed or truncated bytes)'
        : `the tar stream is broken (${message})`,
      error,
    );
  return error as Error;
}
