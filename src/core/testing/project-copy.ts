import { cpSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../paths.js';

/**
 * A scratch copy of the project (sources with the apps' migrations, bin; node_modules linked), where a test
 * can edit models and migrations as a developer would and run the real CLI on them.
 */
export function copyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-project-'));
  for (const entry of ['package.json', 'tsconfig.json', 'bin', 'src'])
    cpSync(join(projectRoot, entry), join(dir, entry), { recursive: true });
  symlinkSync(join(projectRoot, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}
