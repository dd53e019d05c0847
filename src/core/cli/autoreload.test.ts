import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../testing/free-port.js';
import { copyProject } from '../testing/project-copy.js';
import { type Spawned, spawnProcess } from '../testing/run-slipway.js';
import { isReloadTrigger } from './autoreload.js';

describe('which changes restart the development server', () => {
  it('restarts for sources, migrations and snapshots, not for static files or tests', () => {
    expect(isReloadTrigger('/p/src/apps/polls/templates/index-page.tsx')).toBe(true);
    expect(isReloadTrigger('/p/src/apps/polls/service.ts')).toBe(true);
    expect(isReloadTrigger('/p/migrations/0009_slug.sql')).toBe(true);
    expect(isReloadTrigger('/p/migrations/meta/0009_slug.json')).toBe(true);
    expect(isReloadTrigger('/p/src/core/admin/static/admin.css')).toBe(false);
    expect(isReloadTrigger('/p/src/core/admin/static/admin.ts')).toBe(false);
    expect(isReloadTrigger('/p/src/apps/polls/service.test.ts')).toBe(false);
    expect(isReloadTrigger('/p/src/apps/polls/notes.md')).toBe(false);
  });
});

// The process boundary is the point here: a supervisor, its server child, signals and the lock.
describe('slipway runserver on a copy of the project', () => {
  let project: string;
  let port: number;
  let server: Spawned;
  const page = join('src', 'apps', 'polls', 'templates', 'index-page.tsx');
  const lockFile = () => join(project, 'data', 'pglite.lock');

  const title = async () => {
    const html = await (await fetch(`http://127.0.0.1:${port}/polls/`)).text();
    return /<title>([^<]*)/.exec(html)?.[1];
  };
  /** Polls until `read` returns `expected` (bounded: the restart waits on a compile and PGlite). */
  const eventually = async <T>(read: () => Promise<T>, expected: T, timeoutMs = 15_000) => {
    const until = Date.now() + timeoutMs;
    let last: T | undefined;
    while (Date.now() < until) {
      last = await read().catch(() => undefined);
      if (last === expected) return last;
      await new Promise((r) => setTimeout(r, 200));
    }
    return last;
  };

  beforeAll(async () => {
    project = copyProject();
    port = await freePort();
    server = spawnProcess(
      [process.execPath, join(project, 'bin', 'slipway.js'), 'runserver'],
      { PORT: String(port), LOG_LEVEL: 'info' },
      project,
    );
    await server.waitFor(/listening on http/, 30_000);
  }, 40_000);

  afterAll(() => {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    rmSync(project, { recursive: true, force: true });
  });

  it('serves the new page after a template is edited, without being restarted by hand', async () => {
    expect(await title()).toBe('Latest polls · Polls');
    // Development logs: one readable line per request, like Django's runserver.
    await server.waitFor(/INFO: GET \/polls\/ 200 \d+\.\d ms\n/, 5000);
    expect(server.output()).not.toContain('incoming request');
    const holder = readFileSync(lockFile(), 'utf8');
    const source = join(project, page);
    writeFileSync(
      source,
      readFileSync(source, 'utf8').replace("title: 'Latest polls'", "title: 'Newest polls'"),
    );

    expect(await eventually(title, 'Newest polls · Polls')).toBe('Newest polls · Polls');
    // A new server process holds the embedded database now, and the old one let it go.
    expect(readFileSync(lockFile(), 'utf8')).not.toBe(holder);
    expect(server.output()).toContain('source changed: restarting the server');
  }, 30_000);

  it('stops the server gracefully on Ctrl-C, releasing the embedded database', async () => {
    server.child.kill('SIGINT');
    expect(await server.exited()).toBe(0);
    expect(server.output()).toContain('shutdown complete');
    expect(existsSync(lockFile())).toBe(false);
  }, 20_000);
});
