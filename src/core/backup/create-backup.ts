import { createHash } from 'node:crypto';
import { once } from 'node:events';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import type { Config } from '../config/index.js';
import { writeAtomically } from '../fs/write-atomically.js';
import { projectRoot } from '../paths.js';
import { archiveName, sidecarPath } from './archive-names.js';
import { dumpDatabase } from './dump-database.js';
import { chooseEncryption, encryptStream } from './encryption.js';
import { BackupError } from './errors.js';
import {
  CUSTOM_DUMP_MEMBER,
  DATABASE_MEMBER,
  FORMAT,
  MANIFEST_MEMBER,
  type Manifest,
  MEDIA_PREFIX,
  sidecarOf,
} from './manifest.js';
import { mediaFiles } from './media-files.js';

export interface CreateBackupDeps {
  config: Config;
  /** The clock, for tests. */
  now?: () => Date;
}

export interface CreateBackupInput {
  label?: string | undefined;
  /** Write the archive in the clear (the operator said --no-encrypt). */
  noEncrypt?: boolean;
}

export interface CreatedBackup {
  name: string;
  path: string;
  size: number;
  manifest: Manifest;
}

/**
 * Writes one archive into BACKUP_DIR: the database, every file under MEDIA_ROOT and
 * manifest.json, as a tar stream encrypted with age.
 *
 * 1. Refuses at once without encryption unless `noEncrypt`.
 * 2. Dumps the database (one snapshot; see {@link dumpDatabase}: pg_dump's custom format for a
 *    server, gzipped plain SQL for PGlite) into a spool file in BACKUP_DIR: a tar header needs the member's size before its bytes.
 * 3. Streams tar → age → `<name>.tmp`: the dump, then each media file, then the manifest with
 *    the SHA-256 and size of every member, computed as they pass.
 * 4. fsyncs the file, renames it to `<name>`, fsyncs the folder, and writes `<name>.json` (a
 *    summary for `backup list`, readable without the key).
 * A failure at any step removes the temporary files; no half archive ever has an archive's name.
 *
 * @example
 *   const { name } = await createBackup({ config }, { label: 'before-upgrade' });
 */
export async function createBackup(
  deps: CreateBackupDeps,
  input: CreateBackupInput = {},
): Promise<CreatedBackup> {
  const { config } = deps;
  const encryption = chooseEncryption(config.backup, input.noEncrypt ?? false);
  const dir = config.backup.dir;
  mkdirSync(dir, { recursive: true, mode: 0o700 });

  let at = deps.now?.() ?? new Date();
  let name = archiveName(at, input.label, encryption !== 'none');
  while (existsSync(join(dir, name))) {
    await sleep(1000 - (Date.now() % 1000)); // names are to the second
    at = deps.now?.() ?? new Date();
    name = archiveName(at, input.label, encryption !== 'none');
  }
  const path = join(dir, name);
  const tmp = `${path}.tmp`;
  const spool = join(dir, `.${name}.dump.tmp`);

  try {
    let sqlBytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        sqlBytes += chunk.length;
        done(null, chunk);
      },
    });
    // A server's dump comes compressed (custom format); PGlite's plain script is gzipped here.
    const custom = config.database.engine === 'postgres';
    const member = custom ? CUSTOM_DUMP_MEMBER : DATABASE_MEMBER;
    const spooled = custom
      ? pipeline(counter, createWriteStream(spool, { mode: 0o600 }))
      : pipeline(counter, createGzip({ level: 1 }), createWriteStream(spool, { mode: 0o600 }));
    const dumping = dumpDatabase(config.database, counter).catch((error: unknown) => {
      counter.destroy(); // ends the spool's pipeline too
      throw error;
    });
    const [dumped, spoolWritten] = await Promise.allSettled([dumping, spooled]);
    // A spool that could not be written (a full disk) is the cause; pg_dump then saw a broken pipe.
    if (spoolWritten.status === 'rejected' && (spoolWritten.reason as NodeJS.ErrnoException).syscall)
      throw spoolWritten.reason;
    if (dumped.status === 'rejected') throw dumped.reason;
    if (spoolWritten.status === 'rejected') throw spoolWritten.reason;
    const info = dumped.value;

    const pack = tar.pack();
    const fd = openSync(tmp, 'w', 0o600);
    const encrypted = await encryptStream(Readable.from(pack), config.backup, encryption);
    const written = pipeline(encrypted, createWriteStream('', { fd, autoClose: false }));
    // A write that fails (a full disk) stops the tar stream's reader: each step races it, or
    // would wait for a 'drain' that never comes. (The tar stream is left as it is: destroying it
    // would emit the error again on the entry being written, where nothing listens.)
    const failed = written.then(() => new Promise<never>(() => undefined));
    failed.catch(() => undefined);
    const step = <T>(work: Promise<T>) => Promise.race([work, failed]);
    const members: Manifest['members'] = [];
    const mtime = at;

    const dump = await step(addFile(pack, member, spool, mtime));
    if (!dump) throw new Error('the database dump vanished from BACKUP_DIR');
    members.push(dump);
    let mediaBytes = 0;
    for (const file of mediaFiles(config.mediaRoot)) {
      const added = await step(addFile(pack, `${MEDIA_PREFIX}${file}`, join(config.mediaRoot, file), mtime));
      if (!added) continue; // deleted while we were backing up
      members.push(added);
      mediaBytes += added.size;
    }
    const manifest: Manifest = {
      format: FORMAT,
      createdAt: at.toISOString(),
      label: input.label ?? null,
      slipwayVersion: slipwayVersion(),
      engine: config.database.engine,
      ...info,
      database: {
        member,
        format: custom ? 'pg_dump custom format (pg_restore)' : 'pg_dump plain SQL, gzip (psql)',
        sqlBytes,
      },
      media: { files: members.length - 1, bytes: mediaBytes },
      members,
    };
    await step(
      addBuffer(pack, MANIFEST_MEMBER, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), mtime),
    );
    pack.finalize();
    await written;
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
    syncFolder(dir);
    const size = statSync(path).size;
    writeAtomically(
      sidecarPath(path),
      `${JSON.stringify(sidecarOf(manifest, name, size, encryption), null, 2)}\n`,
      0o600,
    );
    return { name, path, size, manifest };
  } catch (error) {
    rmSync(tmp, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT')
      throw new BackupError(`no space left on device in ${dir} (${code}); no archive was written`, {
        cause: error,
      });
    throw error;
  } finally {
    rmSync(spool, { force: true });
  }
}

async function addFile(
  pack: tar.Pack,
  name: string,
  file: string,
  mtime: Date,
): Promise<{ name: string; size: number; sha256: string } | undefined> {
  let size: number;
  let stream: ReturnType<typeof createReadStream>;
  try {
    size = statSync(file).size;
    stream = createReadStream(file, size > 0 ? { start: 0, end: size - 1 } : {});
    await once(stream, 'open');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const hash = createHash('sha256');
  let written = 0;
  const done = new Promise<void>((resolve, reject) => {
    const entry = pack.entry({ name, size, mode: 0o600, mtime }, (error) =>
      error ? reject(error) : resolve(),
    );
    void (async () => {
      try {
        if (size > 0)
          for await (const chunk of stream as AsyncIterable<Buffer>) {
            hash.update(chunk);
            written += chunk.length;
            if (!entry.write(chunk)) await new Promise<void>((r) => entry.once('drain', () => r()));
          }
        else stream.destroy();
        if (written !== size) throw new Error(`${file} shrank while it was being backed up`);
        entry.end(() => undefined);
      } catch (error) {
        entry.destroy(error as Error);
        reject(error);
      }
    })();
  });
  await done;
  return { name, size, sha256: hash.digest('hex') };
}

async function addBuffer(pack: tar.Pack, name: string, data: Buffer, mtime: Date): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    pack.entry({ name, size: data.length, mode: 0o600, mtime }, data, (error) =>
      error ? reject(error) : resolve(),
    ),
  );
}

/** Makes a rename in `dir` durable. */
export function syncFolder(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

let version: string | undefined;
function slipwayVersion(): string {
  version ??= (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string })
    .version;
  return version;
}
