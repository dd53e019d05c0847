import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { installedApps } from '../../../apps/installed.js';
import { projectMigrations } from '../../apps/project-migrations.js';
import { readMigrationFiles } from './files.js';
import { splitMigration } from './migration-text.js';
import { LEGACY_FOLDER } from './testing.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** What databases recorded for the shipped migrations before files had reverse sections. */
/** What databases migrated by the project-wide migrations/ folder (until apps owned theirs) recorded. */
const RECORDED = {
  '0001_initial': '3e0af9ce3037e5e820d98cba3bfe2df6918bc3f29ecad7b29f4879eb514ef658',
  '0002_auth': '42ef0a1f6d4374f29eae3cc65f3d4922c9c2029fe25cd19d766a83789fd9a8a2',
  '0003_admin': '7b6d3a06e5650a4a98a839d9323f30231157e445676e606ac517ec74dead79ad',
  '0004_api_tokens': '2b943aa3b3971ae586bf6edae117a7082168b5eafbd44c8f9fd5c2f1dfb95964',
  '0005_contacts': '6a6b15ed3dda8b4c15a83b91af7d2a5c38416aecea906f516f7b71e3a2fb6ed2',
  '0006_primary_objects': '330f41cb52e9e7ecc6a2debc5958873c2a6fe3ab40c27dfe1ed608f8e0976683',
  '0007_attachment_files': 'a0b19553e943e31c83f5f3ddb9cdf7e57a76dba9741b8d21f728260d239b6b4c',
  '0008_primary_messages': '2e6a13da4b948065991a98fcd908ed2286b7d4b12b5fd50e768728ff1b5be237',
};

describe('the migration file: forward SQL, then an optional "-- reverse" section', () => {
  it('checksums a file without a reverse section whole, as before reverse sections existed', () => {
    const text = 'CREATE TABLE t (id int);\n';
    expect(splitMigration(text)).toMatchObject({ forward: text, reverse: undefined, checksum: sha256(text) });
    expect(splitMigration(text.replace(/\n/g, '\r\n')).checksum).toBe(sha256(text));
  });

  it('keeps the checksum when a reverse section is added to an applied migration', () => {
    const applied = splitMigration('CREATE TABLE t (id int);\n').checksum;
    const withReverse = splitMigration('CREATE TABLE t (id int);\n\n-- reverse\nDROP TABLE t;\n');
    expect(withReverse.forward).toBe('CREATE TABLE t (id int);\n\n');
    expect(withReverse.reverse).toBe('DROP TABLE t;\n');
    expect(withReverse.acceptedChecksums.has(applied)).toBe(true);
    // …and when the section is changed, or removed again.
    const edited = splitMigration('CREATE TABLE t (id int);\n-- reverse   \nDROP TABLE IF EXISTS t;\n');
    expect(edited.checksum).toBe(withReverse.checksum);
    expect(splitMigration('CREATE TABLE t (id int);\n').acceptedChecksums.has(withReverse.checksum)).toBe(
      true,
    );
  });

  it('still tells an edit above the marker', () => {
    const applied = splitMigration('CREATE TABLE t (id int);\n').checksum;
    const edited = splitMigration('CREATE TABLE t (id int, x int);\n-- reverse\nDROP TABLE t;\n');
    expect(edited.acceptedChecksums.has(applied)).toBe(false);
    expect(splitMigration('-- a comment\nCREATE TABLE t (id int);\n').acceptedChecksums.has(applied)).toBe(
      false,
    );
  });

  it('has no reverse when the section holds only comments, as --empty leaves it', () => {
    const text = 'SELECT 1;\n-- reverse\n-- write the SQL that undoes it here\n/* not yet */\n\n';
    expect(splitMigration(text).reverse).toBeUndefined();
    expect(splitMigration('SELECT 1;\n-- reversed order of things\n').reverse).toBeUndefined();
    expect(splitMigration('SELECT 1;\n-- reverse\nSELECT 2;\n-- reverse\nSELECT 3;\n').reverse).toBe(
      'SELECT 2;\n-- reverse\nSELECT 3;\n',
    );
  });

  it('keeps, as a test fixture, the project-wide folder with the checksums databases recorded', () => {
    const files = readMigrationFiles(LEGACY_FOLDER);
    expect(files.map((f) => [f.name, f.checksum])).toEqual(Object.entries(RECORDED));
  });

  it('gives every shipped migration a reverse section', () => {
    const files = projectMigrations(installedApps);
    expect(files.length).toBeGreaterThan(8);
    for (const file of files) {
      expect(file.reverse, file.name).toBeDefined();
      expect(file.sql, file.name).not.toMatch(/^-- reverse/m);
    }
  });
});
