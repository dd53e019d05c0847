import { existsSync, readFileSync } from 'node:fs';
import { type ArchiveFile, listArchives, sidecarPath } from './archive-names.js';
import type { Sidecar } from './manifest.js';

/** One line of `backup list`: the archive, and its summary when the `.json` beside it is readable. */
export interface ListedBackup {
  name: string;
  createdAt: string;
  size: number;
  encrypted: boolean;
  summary: Sidecar | undefined;
}

/** The archives in BACKUP_DIR, newest first, with their summaries. */
export function listBackups(deps: { dir: string }): ListedBackup[] {
  return listArchives(deps.dir).map((archive: ArchiveFile) => ({
    name: archive.name,
    createdAt: archive.createdAt.toISOString(),
    size: archive.size,
    encrypted: archive.encrypted,
    summary: readSidecar(archive.path),
  }));
}

function readSidecar(path: string): Sidecar | undefined {
  const file = sidecarPath(path);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Sidecar;
  } catch {
    return undefined;
  }
}

/** `1.5 MB`, `320 kB`, `12 B`. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
