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
import {
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
 * 2. Dumps the database (one snapshot; see {@link dumpDatabase}) as gzipped plain SQL into a
 *    spool file in BACKUP_DIR: a tar header needs the member's size before its bytes.
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
    const gzip = createGzip({ level: 1 });
    const spooled = pipeline(counter, gzip, createWriteStream(spool, { mode: 0o600 }));
    const info = await dumpDatabase(config.database, counter);
    await spooled;

    const pack = tar.pack();
    const fd = openSync(tmp, 'w', 0o600);
    const encrypted = await encryptStream(Readable.from(pack), config.backup, encryption);
    const written = pipeline(encrypted, createWriteStream('', { fd, autoClose: false }));
    const members: Manifest['members'] = [];
    const mtime = at;

    const dump = await addFile(pack, DATABASE_MEMBER, spool, mtime);
    if (!dump) throw new Error('the database dump vanished from BACKUP_DIR');
    members.push(dump);
    let mediaBytes = 0;
    for (const file of mediaFiles(config.mediaRoot)) {
      const member = await addFile(pack, `${MEDIA_PREFIX}${file}`, join(config.mediaRoot, file), mtime);
      if (!member) continue; // deleted while we were backing up
      members.push(member);
      mediaBytes += member.size;
    }
    const manifest: Manifest = {
      format: FORMAT,
      createdAt: at.toISOString(),
      label: input.label ?? null,
      slipwayVersion: slipwayVersion(),
      engine: config.database.engine,
      ...info,
      database: { member: DATABASE_MEMBER, format: 'pg_dump plain SQL, gzip', sqlBytes },
      media: { files: members.length - 1, bytes: mediaBytes },
      members,
    };
    await addBuffer(pack, MANIFEST_MEMBER, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), mtime);
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
    stream = createReadStream(file, size > 0 ? { start: 0, end: size - 1 } : { start: 0, end: -1 });
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
