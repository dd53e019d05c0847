import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Spawned, spawnProcess } from './run-slipway.js';

// What keeps one hung test from failing the next ones: the processes a test starts end with it.
const sleeper = () =>
  spawnProcess([process.execPath, '-e', 'setTimeout(() => {}, 600_000)'], {}, process.cwd());
const alive = (p: Spawned) => p.child.exitCode === null && p.child.signalCode === null;

describe('processes started by tests', () => {
  let fromTest: Spawned;
  let fromBeforeAll: Spawned;

  beforeAll(() => {
    fromBeforeAll = sleeper();
  });
  afterAll(() => {
    expect(alive(fromBeforeAll)).toBe(true); // the file's own afterAll still sees it
  });

  it('run while their test runs', () => {
    fromTest = sleeper();
    expect(alive(fromTest)).toBe(true);
  });

  it('are killed when their test ends; those of a beforeAll live until the file ends', async () => {
    await fromTest.exited();
    expect(fromTest.child.signalCode).toBe('SIGKILL');
    expect(alive(fromBeforeAll)).toBe(true);
  });
});
