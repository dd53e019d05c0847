import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readMigrationFiles } from '../../db/migrate/files.js';
import { migrationsDir } from '../../paths.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import { runCli } from '../run-cli.js';

// `slipway migrate` run in this process, on the project's migrations.
const engine = process.env['TEST_DATABASE_URL'] ? 'PostgreSQL' : 'PGlite';
const names = readMigrationFiles(migrationsDir).map((f) => f.name);
const last = names.at(-1)!;
let testDb: TestDatabase;

async function slipway(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli({
    argv,
    env: { DATABASE_URL: testDb.url },
    stdout: (line) => {
      stdout += `${line}\n`;
    },
    stderr: (line) => {
      stderr += `${line}\n`;
    },
    interactive: false,
  });
  return { code, stdout, stderr };
}
const applied = async () =>
  (await slipway('showmigrations')).stdout
    .split('\n')
    .filter((line) => line.startsWith('[X]'))
    .map((line) => line.slice(4).split(' ')[0]);

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.drop());

describe(`slipway migrate, forward and back (${engine})`, () => {
  it('applies every migration, one plain line each, and no log line besides', async () => {
    // Loggers write to fd 1 and 2 themselves; the command's lines go through stdout/stderr above.
    const logged = vi.spyOn(fs, 'writeSync');
    const result = await slipway('migrate');
    const written = logged.mock.calls.filter(([fd]) => fd === 1 || fd === 2).map(([, data]) => String(data));
    logged.mockRestore();
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `${names.map((n) => `Applying ${n}\n`).join('')}Applied ${names.length} migration(s).\n`,
    );
    expect(written).toEqual([]);
  });

  it('--plan with a target lists what would be reverted, newest first, and changes nothing', async () => {
    const result = await slipway('migrate', '--to', '0006', '--plan');
    expect(result).toMatchObject({
      code: 0,
      stdout: `Would revert ${last}\nWould revert 0007_attachment_files\n`,
    });
    expect(await applied()).toEqual(names);
  });

  it('--to reverts to the target and says where the database is', async () => {
    const result = await slipway('migrate', '--to', '0006_primary_objects');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `Reverting ${last}\nReverting 0007_attachment_files\n` +
        'Done: reverted 2 migration(s); the database is at 0006_primary_objects.\n',
    );
    expect(await applied()).toEqual(names.slice(0, 6));
  });

  it("takes Django's form, `migrate <migration>`, forward too", async () => {
    const result = await slipway('migrate', '0007');
    expect(result.stdout).toBe(
      'Applying 0007_attachment_files\nDone: applied 1 migration(s); the database is at 0007_attachment_files.\n',
    );
    expect((await slipway('migrate', '0007_attachment_files')).stdout).toBe(
      'Nothing to do; the database is at 0007_attachment_files.\n',
    );
  });

  it('refuses an app label, explaining that migrations are project-wide', async () => {
    const withApp = await slipway('migrate', 'polls', '0003_admin');
    expect(withApp.code).toBe(1);
    expect(withApp.stderr).toMatch(
      /^slipway migrate: migrations are project-wide \(one migrations\/ folder\), not per app, so app "polls" cannot be migrated on its own: .* Name the migration alone: slipway migrate --to 0003_admin /,
    );
    expect((await slipway('migrate', 'polls')).stderr).toContain('app "polls" cannot be migrated on its own');
    expect(await slipway('migrate', '--to', '0099')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        'slipway migrate: no migration "0099"; name a migration in migrations/',
      ),
    });
    expect(await applied()).toEqual(names.slice(0, 7));
  });

  it('zero reverts everything; migrate brings it all back', async () => {
    expect((await slipway('migrate', 'zero', '--plan')).stdout).toBe(
      names
        .slice(0, 7)
        .reverse()
        .map((n) => `Would revert ${n}\n`)
        .join(''),
    );
    const back = await slipway('migrate', 'zero');
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(
      /Done: reverted 7 migration\(s\); the database is at zero \(no migration applied\)\.\n$/,
    );
    expect(await applied()).toEqual([]);
    expect((await slipway('migrate')).stdout).toMatch(
      new RegExp(`Applied ${names.length} migration\\(s\\)\\.\\n$`),
    );
    expect((await slipway('check')).stdout).toContain('System check identified no issues.');
  });
});
