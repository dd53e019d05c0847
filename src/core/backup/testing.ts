import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { withDatabase } from '../testing/query-database.js';
import type { TestDatabase } from '../testing/test-database.js';
import { onPath, requireTool } from '../testing/tools.js';
import { mediaFiles } from './media-files.js';

/** Debian's `age` command line, which must read our archives. */
export const ageCli = requireTool({
  name: 'age (command line)',
  find: () => onPath('age'),
  install: 'apt-get install -y --no-install-recommends age',
});

/** A fresh age key pair; the identity written to `dir/<name>.txt` as age-keygen would. */
export async function ageKeyPair(
  dir: string,
  name = 'key',
): Promise<{ recipient: string; identityFile: string }> {
  const identity = await generateIdentity();
  const identityFile = join(dir, `${name}.txt`);
  writeFileSync(identityFile, `# created: test\n${identity}\n`, { mode: 0o600 });
  return { recipient: await identityToRecipient(identity), identityFile };
}

/**
 * Every row of every table of the public schema, in key order, and every sequence's position,
 * as one JSON text: two databases hold the same data when their texts are equal.
 */
export async function dataSnapshot(testDb: Pick<TestDatabase, 'config'>): Promise<string> {
  return withDatabase(testDb as TestDatabase, (database) =>
    database.withSession(async (s) => {
      await s.exec("SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 1");
      const tables = await s.query<{ name: string }>(
        "SELECT relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND relkind = 'r' ORDER BY relname",
      );
      const out: Record<string, unknown> = {};
      for (const { name } of tables) {
        const rows = await s.query<{ r: string }>(`SELECT row_to_json(t)::text AS r FROM public."${name}" t`);
        out[name] = rows.map((row) => row.r).sort();
      }
      const seqs = await s.query<{ name: string; v: string | null }>(
        "SELECT c.relname AS name, (pg_sequence_last_value(c.oid))::text AS v FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND relkind = 'S' ORDER BY 1",
      );
      out['(sequences)'] = seqs.map((q) => `${q.name}=${q.v}`);
      return JSON.stringify(out);
    }),
  );
}

/** `{ 'attachments/a.pdf': '<sha256>' }` for every file under `root`. */
export function mediaHashes(root: string): Record<string, string> {
  return Object.fromEntries(
    mediaFiles(root).map((f) => [
      f,
      createHash('sha256')
        .update(readFileSync(join(root, f)))
        .digest('hex'),
    ]),
  );
}

/** Writes `count` files of random bytes (`size` each) under `root/attachments/`. */
export function writeMedia(root: string, count: number, size: number, prefix = 'file'): void {
  mkdirSync(join(root, 'attachments'), { recursive: true });
  for (let i = 0; i < count; i++)
    writeFileSync(join(root, 'attachments', `${prefix}-${i}.bin`), randomBytes(size));
}

/** What a restore prints on stderr and nothing else: where the write goes. */
export const USING = /^Using (PGlite in|PostgreSQL postgres:\/\/)[^\n]*\n$/;

/**
 * Mounting a small tmpfs (root, or a container with CAP_SYS_ADMIN): how the full-disk tests fill
 * a disk without filling the machine's. Found by mounting and unmounting one once.
 */
export const tmpfsMount = requireTool({
  name: 'tmpfs mount (root)',
  find: () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-tmpfs-probe-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
      execFileSync('umount', [dir], { stdio: 'ignore' });
      return onPath('mount');
    } catch {
      return undefined;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  install: 'run the tests as root (or with CAP_SYS_ADMIN) so that mount -t tmpfs works',
});

/** Mounts a tmpfs of `size` (mount's syntax: '1m') on `dir`, created if need be; returns its unmount. */
export function mountTmpfs(dir: string, size: string): () => void {
  mkdirSync(dir, { recursive: true });
  execFileSync(tmpfsMount.path(), ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  return () => execFileSync('umount', [dir]);
}
