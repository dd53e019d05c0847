import type { DatabaseInfo } from './database-info.js';
import type { EncryptionKind } from './encryption.js';

/**
 * The archive member holding the database of a PostgreSQL server: a pg_dump custom-format
 * archive (`pg_restore` reads it; compressed by pg_dump).
 */
export const CUSTOM_DUMP_MEMBER = 'database.dump';
/**
 * The member holding the database of the embedded engine (and of archives made before the
 * custom format): a plain pg_dump script, gzipped (`psql` runs it).
 */
export const DATABASE_MEMBER = 'database.sql.gz';
/** Whether an archive member is the database, in either form. */
export const isDatabaseMember = (name: string) => name === CUSTOM_DUMP_MEMBER || name === DATABASE_MEMBER;
/** Media files are stored under this prefix, by their path below MEDIA_ROOT. */
export const MEDIA_PREFIX = 'media/';
export const MANIFEST_MEMBER = 'manifest.json';
export const FORMAT = 'slipway-backup/1';

/** `manifest.json`, the archive's last member: what it holds and how to check it. */
export interface Manifest extends DatabaseInfo {
  format: typeof FORMAT;
  createdAt: string;
  label: string | null;
  slipwayVersion: string;
  engine: 'pglite' | 'postgres';
  /** sqlBytes: the dump's bytes as pg_dump wrote them (the SQL script; the custom archive, compressed). */
  database: { member: string; format: string; sqlBytes: number };
  media: { files: number; bytes: number };
  /** Every other member, in archive order, with its size and SHA-256 (hex). */
  members: { name: string; size: number; sha256: string }[];
}

/** `<archive>.json`: the manifest's summary next to the archive, readable without the key. */
export interface Sidecar {
  name: string;
  createdAt: string;
  label: string | null;
  slipwayVersion: string;
  engine: 'pglite' | 'postgres';
  serverVersion: string;
  /** The migration the database applied last (see {@link lastAppliedMigration}). */
  migrationsHead: string | null;
  databaseBytes: number;
  files: number;
  mediaBytes: number;
  encryption: EncryptionKind;
  size: number;
  verifiedAt: string | null;
}

/**
 * The migration the backed-up database applied last; for an archive made before that was
 * recorded, the last by name (the best it holds).
 */
export function lastAppliedMigration(
  manifest: Pick<Manifest, 'migrations' | 'lastMigration'>,
): string | null {
  return manifest.lastMigration !== undefined
    ? manifest.lastMigration
    : (manifest.migrations.at(-1)?.name ?? null);
}

export function sidecarOf(
  manifest: Manifest,
  name: string,
  size: number,
  encryption: EncryptionKind,
): Sidecar {
  return {
    name,
    createdAt: manifest.createdAt,
    label: manifest.label,
    slipwayVersion: manifest.slipwayVersion,
    engine: manifest.engine,
    serverVersion: manifest.serverVersion,
    migrationsHead: lastAppliedMigration(manifest),
    databaseBytes: manifest.database.sqlBytes,
    files: manifest.media.files,
    mediaBytes: manifest.media.bytes,
    encryption,
    size,
    verifiedAt: null,
  };
}
