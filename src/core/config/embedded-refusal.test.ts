import { describe, expect, it } from 'vitest';
import { embeddedRefusal } from './deploy-checks.js';
import { loadConfig } from './load-config.js';

const KEY = 'k'.repeat(40);
const load = (env: Record<string, string>) => loadConfig({ env: { SECRET_KEY: KEY, ...env }, cwd: '/' });
const PRODUCTION = { NODE_ENV: 'production', DEBUG: '0' };

describe('embeddedRefusal (start and serve)', () => {
  it('refuses PGlite in production, in one line naming the way out', () => {
    const refusal = embeddedRefusal(load(PRODUCTION));
    expect(refusal).toMatch(
      /^refusing to serve production \(NODE_ENV=production, DEBUG=0\) on the embedded PGlite/,
    );
    expect(refusal).toContain('SLIPWAY_ALLOW_EMBEDDED=1');
    expect(refusal).not.toContain('\n');
    expect(embeddedRefusal(load({ ...PRODUCTION, DATABASE_URL: 'pglite://./data/other' }))).toBe(refusal);
  });

  it('allows PGlite with SLIPWAY_ALLOW_EMBEDDED=1, with DEBUG=1 and outside production', () => {
    expect(embeddedRefusal(load({ ...PRODUCTION, SLIPWAY_ALLOW_EMBEDDED: '1' }))).toBeUndefined();
    expect(embeddedRefusal(load({ ...PRODUCTION, DEBUG: '1' }))).toBeUndefined();
    expect(embeddedRefusal(load({ DEBUG: '0' }))).toBeUndefined();
    expect(embeddedRefusal(load({ NODE_ENV: 'test', DEBUG: '0' }))).toBeUndefined();
  });

  it('allows PostgreSQL in production', () => {
    expect(embeddedRefusal(load({ ...PRODUCTION, DATABASE_URL: 'postgres://u:p@db/app' }))).toBeUndefined();
  });
});
