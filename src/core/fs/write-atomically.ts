import { renameSync, writeFileSync } from 'node:fs';

/**
 * Writes `content` to `path.tmp`, then renames it over `path`: a reader (or a crash) never
 * sees a half-written file.
 *
 * @example
 *   writeAtomically('migrations/0002_x.sql', sql);
 */
export function writeAtomically(path: string, content: string, mode = 0o644): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, path);
}
