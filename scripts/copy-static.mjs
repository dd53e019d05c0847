// Copies every src/**/static/ folder, and every app's src/**/migrations/ folder (its .sql files
// and snapshots), next to its compiled code in dist/, since tsc copies only what it compiles.
// Run by `npm run build`.
import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(dir, entry.name);
    if (entry.name === 'static' || entry.name === 'migrations')
      cpSync(path, join('dist', path), { recursive: true });
    else walk(path);
  }
}
walk('src');
