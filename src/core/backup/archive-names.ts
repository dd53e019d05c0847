import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BackupError } from './errors.js';

/** One archive file in BACKUP_DIR. */
export interface ArchiveFile {
  /** The file name, which is also the archive's name: `slipway-20260301T030000Z-nightly.tar.age`. */
  readonly name: string;
  readonly path: string;
  /** When it was made, from its name (UTC, to the second). */
  readonly createdAt: Date;
  readonly label: string | undefined;
  readonly encrypted: boolean;
  readonly size: number;
}

const NAME = /^slipway-(\d{8}T\d{6}Z)(?:-([a-z0-9][a-z0-9_-]*))?\.tar(\.age)?$/;

/** A label becomes part of a file name: lower-case letters, digits, `-` and `_`. */
export function checkLabel(label: string): string {
  if (!/^[a-z0-9][a-z0-9_-]{0,39}$/.test(label))
    throw new BackupError(
      `--label "${label}": use up to 40 lower-case letters, digits, "-" and "_", starting with a letter or digit`,
    );
  return label;
}

/**
 * The file name of an archive made at `at`.
 *
 * @example
 *   archiveName(new Date('2026-03-01T03:00:00Z'), 'nightly', true); // 'slipway-20260301T030000Z-nightly.tar.age'
 */
export function archiveName(at: Date, label: string | undefined, encrypted: boolean): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `slipway-${stamp}${label ? `-${label}` : ''}.tar${encrypted ? '.age' : ''}`;
}

/** Parses an archive's file name; undefined for any other file (temporary files included). */
export function parseArchiveName(name: string): Omit<ArchiveFile, 'path' | 'size'> | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  const s = m[1]!;
  const iso = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`;
  const createdAt = new Date(iso);
  if (Number.isNaN(createdAt.getTime())) return undefined;
  return { name, createdAt, label: m[2], encrypted: Boolean(m[3]) };
}

/** The archives in `dir`, newest first. A missing folder has none. */
export function listArchives(dir: string): ArchiveFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .flatMap((file) => {
      const parsed = parseArchiveName(file);
      if (!parsed) return [];
      const path = join(dir, file);
      return [{ ...parsed, path, size: statSync(path).size }];
    })
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.name.localeCompare(a.name));
}

/**
 * Finds the archive an operator named: `latest`, a file name in BACKUP_DIR (with or without
 * its `.tar`/`.tar.age` ending), or a path to an archive anywhere.
 */
export function findArchive(dir: string, name: string): ArchiveFile {
  const archives = listArchives(dir);
  if (name === 'latest') {
    const newest = archives[0];
    if (!newest) throw new BackupError(`no archive in ${dir}: make one with slipway backup create`);
    return newest;
  }
  const found = archives.find((a) => a.name === name || a.name.replace(/\.tar(\.age)?$/, '') === name);
  if (found) return found;
  if (name.includes('/') && existsSync(name)) {
    const file = name.slice(name.lastIndexOf('/') + 1);
    const parsed = parseArchiveName(file);
    const encrypted = file.endsWith('.age');
    return {
      name: file,
      path: name,
      createdAt: parsed?.createdAt ?? statSync(name).mtime,
      label: parsed?.label,
      encrypted,
      size: statSync(name).size,
    };
  }
  throw new BackupError(`no archive named "${name}" in ${dir} (slipway backup list shows them)`);
}

/** The summary written next to an archive (`<archive>.json`), readable without its key. */
export const sidecarPath = (archivePath: string) => `${archivePath}.json`;
