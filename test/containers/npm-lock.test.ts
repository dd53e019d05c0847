import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The Dockerfile's `npm ci` runs the npm that node:22-bookworm-slim carries (Node.js 22.23.5
 * bundles npm 10.9.9), which refuses a lock file that a newer npm wrote in a way it cannot read
 * ("Missing: esbuild@0.28.2 from lock file"): the image then does not build. This runs that npm's
 * `ci --dry-run` on a copy of package.json and package-lock.json. It needs the npm registry (to
 * fetch that npm): where the registry cannot be reached it is skipped, except under CI=true.
 *
 * Fix a failure with: npx -y npm@10.9.9 install --package-lock-only --no-audit --no-fund
 */

const IMAGE_NPM = '10.9.9';
const root = fileURLToPath(new URL('../..', import.meta.url));

function npx(args: string[], cwd: string) {
  return spawnSync('npx', ['-y', `npm@${IMAGE_NPM}`, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 170_000,
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' },
  });
}

describe('package-lock.json', () => {
  it(`is accepted by \`npm ci\` of npm ${IMAGE_NPM}, the base image's npm`, { timeout: 360_000 }, (ctx) => {
    const work = mkdtempSync(join(tmpdir(), 'slipway-lock-'));
    try {
      const version = npx(['--version'], work);
      if (version.status !== 0 || version.stdout.trim() !== IMAGE_NPM) {
        const reason = `npm ${IMAGE_NPM} could not be fetched from the npm registry: ${(version.stderr || String(version.error)).trim().split('\n').at(-1)}`;
        if (process.env['CI'] === 'true') throw new Error(reason);
        ctx.skip(reason);
      }
      copyFileSync(join(root, 'package.json'), join(work, 'package.json'));
      copyFileSync(join(root, 'package-lock.json'), join(work, 'package-lock.json'));
      const ci = npx(['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], work);
      expect(
        ci.status,
        `npm ${IMAGE_NPM} refuses the lock file, so the image cannot build:\n${ci.stderr}\n` +
          `Rewrite it with: npx -y npm@${IMAGE_NPM} install --package-lock-only --no-audit --no-fund`,
      ).toBe(0);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
