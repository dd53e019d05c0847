import type { ChildProcess } from 'node:child_process';
import { TestRunner } from 'vitest';

/**
 * The processes tests start (`slipway` commands, servers, terminals), so that none outlives its
 * test: one that hangs or times out would otherwise keep running, holding a port or an embedded
 * database's lock, and make the next tests fail for no reason of their own.
 *
 * A process started inside a test (or its beforeEach) is killed when that test ends, passed or
 * not; one started in a beforeAll when its file ends; any left at exit, at exit. `setup.ts`
 * (vitest's setupFiles) registers the hooks, so every test file gets them.
 */
const shared = globalThis as { slipwayTestChildren?: Map<ChildProcess, 'test' | 'file'> };
const installed = shared.slipwayTestChildren !== undefined;
// One map per process, even when a worker evaluates this module again for another file.
shared.slipwayTestChildren ??= new Map();
const live = shared.slipwayTestChildren;

/** Records a started process; the helpers that spawn call it. Returns the process. */
export function trackChild<T extends ChildProcess>(child: T): T {
  live.set(child, TestRunner.getCurrentTest() ? 'test' : 'file');
  child.once('exit', () => live.delete(child));
  return child;
}

/** SIGKILLs the live processes started in the current test (`'test'`) or anywhere (`'all'`). */
export async function killChildren(scope: 'test' | 'all'): Promise<void> {
  const victims = [...live].filter(([, owner]) => scope === 'all' || owner === 'test').map(([c]) => c);
  await Promise.all(
    victims.map(
      (child) =>
        new Promise<void>((resolve) => {
          live.delete(child);
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(resolve, 5000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGKILL');
        }),
    ),
  );
}

if (!installed)
  process.once('exit', () => {
    for (const child of live.keys()) child.kill('SIGKILL');
  });
