import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { runSlipway } from '../testing/run-slipway.js';
import { resolveWorkers } from './workers.js';

const PG = 'postgres://postgres@127.0.0.1:5432/postgres';
const config = (env: Record<string, string>) => loadConfig({ env: { DEBUG: '1', ...env } });

describe('how many workers serve runs', () => {
  it('takes --workers over WEB_CONCURRENCY, and auto as one per CPU', () => {
    const pg = config({ DATABASE_URL: PG, WEB_CONCURRENCY: '3' });
    expect(resolveWorkers(undefined, pg)).toBe(3);
    expect(resolveWorkers('2', pg)).toBe(2);
    expect(resolveWorkers('auto', pg)).toBe(availableParallelism());
    expect(resolveWorkers(undefined, config({ DATABASE_URL: PG, WEB_CONCURRENCY: 'auto' }))).toBe(
      availableParallelism(),
    );
    expect(resolveWorkers(undefined, config({ DATABASE_URL: PG }))).toBe(1);
  });

  it('refuses a --workers that is not a count', () => {
    const pg = config({ DATABASE_URL: PG });
    expect(() => resolveWorkers('0', pg)).toThrow(
      /--workers expects auto or an integer from 1 to 256, not '0'/,
    );
    expect(() => resolveWorkers('two', pg)).toThrow(/not 'two'/);
    expect(() => config({ WEB_CONCURRENCY: 'many' })).toThrow(/WEB_CONCURRENCY/);
  });

  it('serves PGlite from one worker: auto means 1, an explicit 2 is refused', () => {
    const embedded = config({ WEB_CONCURRENCY: 'auto' });
    expect(resolveWorkers(undefined, embedded)).toBe(1);
    expect(() => resolveWorkers('2', embedded)).toThrow(
      '--workers 2: PGlite is one embedded database in one process, so it serves from one worker. Use PostgreSQL (DATABASE_URL) for more than one, or --workers 1.',
    );
    expect(() => resolveWorkers(undefined, config({ WEB_CONCURRENCY: '4' }))).toThrow(
      /^WEB_CONCURRENCY=4: PGlite/,
    );
  });

  it('slipway serve --workers 2 on PGlite prints the refusal on one line and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-workers-'));
    try {
      const result = await runSlipway(
        ['serve', '--workers', '2'],
        { DATABASE_URL: `pglite://${join(dir, 'db')}`, SECRET_KEY: 'x'.repeat(40), DATA_DIR: dir },
        { cwd: dir },
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/PGlite is one embedded database in one process/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
