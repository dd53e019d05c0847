import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SuiteOptions } from 'vitest';

/**
 * Programs from outside npm that some tests need (Chromium, PostgreSQL's server binaries, a
 * terminal through util-linux `script`, …), found in one way and skipped in one way:
 *
 * 1. a helper declares its program once with {@link requireTool};
 * 2. a suite that needs it says so with `describe(name, needs(tool), …)`;
 * 3. on a machine without it the suite is skipped, and the skip-summary reporter lists each
 *    missing program at the end of the run with its reason and how many tests it skipped;
 * 4. under `CI=true` nothing is skipped: the suite runs, and the helper's {@link Tool.path}
 *    throws the reason, so a CI machine that lacks a program fails instead of losing tests.
 */
export interface Tool {
  /** What the summary calls it: 'Chromium', 'PostgreSQL server binaries'. */
  readonly name: string;
  /** Why the tests that need it cannot run here, or undefined when they can. */
  readonly missing: string | undefined;
  /** The program (or folder) found; throws {@link MissingToolError} with the reason when absent. */
  path(): string;
}

/** What a suite skipped for want of a program records, for the summary (see {@link needs}). */
export interface MissingTool {
  name: string;
  reason: string;
}

declare module 'vitest' {
  interface TaskMeta {
    /** Set on the tests of a suite skipped by {@link needs}. */
    missingTools?: MissingTool[];
  }
}

export class MissingToolError extends Error {
  override name = 'MissingToolError';
}

/** True in CI, where a missing program is a failure, never a skip. */
export const inCI = /^(1|true|yes)$/i.test(process.env['CI'] ?? '');

/**
 * Declares a program some tests need. `find` looks for it (once, on first use) and returns its
 * path, or undefined; `install` says how to get it, for the skip message.
 *
 * @example
 *   export const chromium = requireTool({
 *     name: 'Chromium',
 *     find: () => ['/usr/bin/chromium'].find(existsSync),
 *     install: 'apt-get install --no-install-recommends chromium',
 *   });
 *   describe('the admin in Chromium', needs(chromium), () => { … chromium.path() … });
 */
export function requireTool(spec: { name: string; find: () => string | undefined; install: string }): Tool {
  let found: { path: string | undefined } | undefined;
  const locate = () => {
    found ??= { path: spec.find() };
    return found.path;
  };
  const reason = () => `${spec.name} not found: ${spec.install}`;
  return {
    name: spec.name,
    get missing() {
      return locate() ? undefined : reason();
    },
    path() {
      const path = locate();
      if (path) return path;
      throw new MissingToolError(
        inCI ? `${reason()} (CI=true: every test must run, so a missing program is a failure)` : reason(),
      );
    },
  };
}

/**
 * Options for `describe()`: skip the suite when one of `tools` is missing, recording why for
 * the summary; run it otherwise, and always under CI (where the missing program then fails it).
 *
 * @example
 *   describe('createsuperuser on a terminal', needs(terminal), () => { … });
 */
export function needs(...tools: Tool[]): SuiteOptions {
  return suiteOptions(tools, inCI);
}

/** {@link needs}, with CI given rather than read from the environment (for its tests). */
export function suiteOptions(tools: readonly Tool[], ci: boolean): SuiteOptions {
  const missing = tools
    .filter((tool) => tool.missing)
    .map((tool) => ({ name: tool.name, reason: tool.missing! }));
  if (missing.length === 0 || ci) return {};
  return { skip: true, meta: { missingTools: missing } };
}

/** The first `name` on PATH, or undefined. */
export function onPath(name: string): string | undefined {
  return (process.env['PATH'] ?? '')
    .split(':')
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find((path) => existsSync(path));
}

/**
 * kubectl, for its built-in kustomize (`kubectl kustomize`, offline): test/kubernetes.test.ts
 * builds deploy/kubernetes with it. Debian's kubernetes-client (kubectl 1.20, kustomize 2.0.3)
 * is enough; any newer kubectl works too.
 */
export const kubectl: Tool = requireTool({
  name: 'kubectl',
  find: () => onPath('kubectl'),
  install: 'apt-get install -y --no-install-recommends kubernetes-client',
});
