import { integer, pgTable, serial } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { installedApps } from '../../../apps/installed.js';
import type { AppContext } from '../../apps/define-app.js';
import { defineApp } from '../../apps/define-app.js';
import { createRegistry } from '../../apps/registry.js';
import type { CommandContext } from '../command.js';
import check from './check.js';

// `slipway check` builds what the apps provide (the admin's index) once, hands it to every app's
// checks, and reports a provide that fails (bad admin registrations) as its problems.

const trialRow = pgTable('trial_row', { id: serial('id').primaryKey(), n: integer('n') });

async function runCheck(extra: ReturnType<typeof defineApp>) {
  const lines: string[] = [];
  const registry = createRegistry([...installedApps, extra]);
  const ctx = {
    registry: () => registry,
    database: async () => {
      throw new Error('no database in this test');
    },
    out: (line: string) => lines.push(line),
    err: (line: string) => lines.push(line),
  } as unknown as CommandContext;
  const code = await check.run(ctx, { values: {}, positionals: [] });
  return { code, lines };
}

describe('slipway check', () => {
  it('builds the admin index once and hands it to the checks', async () => {
    const seen: (AppContext['admin'] | undefined)[] = [];
    let provided = 0;
    const trial = defineApp({
      name: 'trial',
      label: 'Trial',
      provide: () => {
        provided++;
        return {};
      },
      checks: (_registry, provided) => {
        seen.push(provided.admin);
        return [];
      },
    });
    await runCheck(trial);
    expect(provided).toBe(1);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.get('polls', 'question')).toBeDefined();
  });

  it('reports every bad admin registration, one line each, under the admin app', async () => {
    const trial = defineApp({
      name: 'trial',
      label: 'Trial',
      schema: { trialRow },
      admin: (site) => site.register(trialRow, { list: ['nope' as never] }),
    });
    const { code, lines } = await runCheck(trial);
    expect(code).toBe(1);
    expect(lines.filter((l) => l.includes('admin.E108'))).toEqual([
      '  admin: app "trial", admin for trial_row: list[0] refers to "nope", which is not a column of trial_row (admin.E108)',
    ]);
  });
});
