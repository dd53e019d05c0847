import { createHash } from 'node:crypto';

/**
 * The line that starts a migration's reverse section. Everything above it is the migration
 * (what `slipway migrate` runs); everything below it is the SQL that undoes it (what
 * `slipway migrate --to <earlier>` runs). A file without the line has no reverse.
 *
 * @example
 *   ALTER TABLE "polls_question" ADD COLUMN "slug" varchar(50);
 *
 *   -- reverse
 *   ALTER TABLE "polls_question" DROP COLUMN "slug";
 */
export const REVERSE_MARKER = '-- reverse';

/** The marker alone on its line; trailing blanks allowed. The first such line counts. */
const MARKER_LINE = /^-- reverse[ \t]*$/m;

export interface MigrationText {
  /** The SQL above the marker (the whole file when there is none): what migrating runs. */
  readonly forward: string;
  /** The SQL below the marker; undefined when there is no marker or nothing but comments below it. */
  readonly reverse: string | undefined;
  /** What is recorded when the migration is applied: sha256 of the forward part. */
  readonly checksum: string;
  /** The recorded checksums that still mean "this file, unedited" (see {@link splitMigration}). */
  readonly acceptedChecksums: ReadonlySet<string>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Splits a migration file into its forward and reverse parts and checksums the forward part.
 *
 * The checksum covers only the forward part, so that a reverse section can be added to (or
 * corrected in) a migration that is already applied. Line endings are normalised first, so a
 * checkout with CRLF matches.
 *
 * 1. A file without the marker is checksummed whole, exactly as before reverse sections
 *    existed: databases keep the checksums they recorded.
 * 2. A file with the marker records the forward part with its trailing blank lines trimmed to
 *    one newline, so the blank line before the marker does not count.
 * 3. A recorded checksum still matches when the forward part differs from the recorded one only
 *    in trailing whitespace: the file `SQL;\n` (checksummed whole) that gains
 *    `\n-- reverse\nUNDO;\n` is the same migration, as is the file that loses its reverse again.
 *    Any other edit above the marker is an edited migration.
 */
export function splitMigration(text: string): MigrationText {
  const normalised = text.replace(/\r\n/g, '\n');
  const marker = MARKER_LINE.exec(normalised);
  const forward = marker ? normalised.slice(0, marker.index) : normalised;
  const below = marker ? normalised.slice(marker.index + marker[0].length) : '';
  const trimmed = forward.trimEnd();
  const checksum = sha256(marker ? `${trimmed}\n` : forward);
  return {
    forward,
    reverse: hasStatements(below) ? below.replace(/^\n/, '') : undefined,
    checksum,
    acceptedChecksums: new Set([checksum, sha256(forward), sha256(trimmed), sha256(`${trimmed}\n`)]),
  };
}

/** Whether SQL holds anything but comments and blanks (a reverse left empty does not count). */
export function hasStatements(sql: string): boolean {
  return (
    sql
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/--.*$/gm, '')
      .trim() !== ''
  );
}
