import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every regular file under `root`, as paths relative to it with `/` separators, sorted. Symbolic
 * links and other special files are left out (uploads are regular files). A missing root has none.
 */
export function mediaFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (prefix === '' && entry.name.startsWith('.slipway-restore-')) continue; // a restore under way
      if (entry.isDirectory()) walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      else if (entry.isFile()) out.push(`${prefix}${entry.name}`);
    }
  };
  walk(root, '');
  return out;
}

/** Whether an archive member's path is safe to extract below a folder: relative, no `..`, no empty parts. */
export function isSafeMemberPath(path: string): boolean {
  if (path.startsWith('/') || path.includes('\\') || path.includes('\0')) return false;
  return path.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}
