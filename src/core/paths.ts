import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project root: the nearest folder above this file that holds package.json. Works the same
 * from `src/` (run through tsx) and from the compiled `dist/src/`.
 */
function findProjectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above src/core');
    dir = parent;
  }
  return dir;
}

export const projectRoot = findProjectRoot();

/**
 * The folder that `.env`, relative paths (`DATA_DIR`, `MEDIA_ROOT`, `*_FILE`) and the embedded
 * database resolve against, as Django resolves against `BASE_DIR`: the project root whenever the
 * working directory is inside the project, so `cd src && npx slipway migrate` uses the same
 * `data/pglite` as `npm start`. Outside the project (a scratch folder, `/` in a container) it is
 * the working directory itself.
 *
 * @example
 *   projectBase('/srv/app/src/apps'); // '/srv/app' when the project is /srv/app
 *   projectBase('/tmp/scratch');      // '/tmp/scratch'
 */
export function projectBase(cwd: string, root: string = projectRoot): string {
  const inside = relative(root, cwd);
  return inside === '' || (!inside.startsWith('..') && !isAbsolute(inside)) ? root : cwd;
}
