import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryDatabase } from '../../testing/query-database.js';
import { runCommand } from '../../testing/run-command.js';
import { afterUsingLine, type CliResult, runSlipway, usingLine } from '../../testing/run-slipway.js';
import { runInTerminal, terminal } from '../../testing/terminal.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import { needs } from '../../testing/tools.js';
import { verifyPassword } from '../passwords.js';

// `slipway createsuperuser` as users run it, on a database migrated by `slipway migrate`. The
// commands run in-process (runCommand), except where the process is the point: its stdin, a
// terminal's prompts.
let testDb: TestDatabase;
let slipway: (args: string[], env?: Record<string, string>) => Promise<CliResult>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  slipway = (args, env = {}) => runCommand(args, { DATABASE_URL: testDb.url, ...env }, { cwd: testDb.tmp });
  const migrate = await slipway(['migrate']);
  expect(migrate.stderr).toBe(usingLine(testDb));
  expect(migrate.code).toBe(0);
});
afterAll(() => testDb.drop());

interface UserRecord {
  username: string;
  email: string;
  password: string;
  is_active: boolean;
  is_staff: boolean;
  is_superuser: boolean;
}

async function userNamed(username: string): Promise<UserRecord | undefined> {
  const [row] = await queryDatabase<UserRecord>(
    testDb,
    'SELECT username, email, password, is_active, is_staff, is_superuser FROM auth_user WHERE username = $1',
    [username],
  );
  return row;
}

const superuserEnv = (username: string, password: string) => ({
  SLIPWAY_SUPERUSER_USERNAME: username,
  SLIPWAY_SUPERUSER_EMAIL: `${username}@example.com`,
  SLIPWAY_SUPERUSER_PASSWORD: password,
});

describe('slipway migrate', () => {
  it('creates the view/add/change/delete permissions of every model', async () => {
    const rows = await queryDatabase<{ codename: string }>(testDb, 'SELECT codename FROM auth_permission');
    const codenames = rows.map((r) => r.codename);
    expect(codenames).toContain('polls.change_question');
    expect(codenames).toContain('auth.view_user');
    const [{ n }] = (await queryDatabase<{ n: number }>(
      testDb,
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT LIKE 'slipway\\_%'",
    )) as [{ n: number }];
    expect(codenames).toHaveLength(4 * n);
  });
});

describe('slipway createsuperuser --no-input', () => {
  it('creates an active staff superuser from SLIPWAY_SUPERUSER_*', async () => {
    const result = await slipway(
      ['createsuperuser', '--no-input'],
      superuserEnv('root', 'violet-tractor-91'),
    );
    expect(result).toMatchObject({
      code: 0,
      stdout: 'Superuser "root" created.\n',
      stderr: usingLine(testDb),
    });
    const row = await userNamed('root');
    expect(row).toMatchObject({
      username: 'root',
      email: 'root@example.com',
      is_active: true,
      is_staff: true,
      is_superuser: true,
    });
    expect(row!.password).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(row!.password, 'violet-tractor-91')).toBe(true);
  });

  it('reads the password from SLIPWAY_SUPERUSER_PASSWORD_FILE (a Docker secret)', async () => {
    const file = join(testDb.tmp, 'superuser_password');
    writeFileSync(file, 'saffron-kettle-27\n');
    const result = await slipway(['createsuperuser', '--no-input'], {
      SLIPWAY_SUPERUSER_USERNAME: 'ops',
      SLIPWAY_SUPERUSER_PASSWORD_FILE: file,
    });
    expect(result).toMatchObject({ code: 0, stdout: 'Superuser "ops" created.\n' });
    const row = await userNamed('ops');
    expect(row).toMatchObject({ email: '', is_staff: true, is_superuser: true });
    expect(await verifyPassword(row!.password, 'saffron-kettle-27')).toBe(true);
  });

  it('exits 1 with one line when the user exists, whatever the case', async () => {
    const result = await slipway(
      ['createsuperuser', '--no-input'],
      superuserEnv('ROOT', 'other-password-55'),
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(afterUsingLine(result.stderr, testDb)).toBe(
      'slipway createsuperuser: a user with the username "ROOT" already exists\n',
    );
  });

  it('--if-missing exits 0 and leaves the existing user alone', async () => {
    const before = await userNamed('root');
    const result = await slipway(
      ['createsuperuser', '--no-input', '--if-missing'],
      superuserEnv('root', 'other-password-55'),
    );
    expect(result).toMatchObject({
      code: 0,
      stdout: 'Superuser "root" already exists; nothing to do.\n',
      stderr: usingLine(testDb),
    });
    expect((await userNamed('root'))!.password).toBe(before!.password);
  });

  it('exits 1 naming the problem with a weak password, and creates nobody', async () => {
    const short = await slipway(['createsuperuser', '--no-input'], superuserEnv('weak1', 'abc'));
    expect(short.code).toBe(1);
    expect(afterUsingLine(short.stderr, testDb)).toBe(
      'slipway createsuperuser: password: This password is too short. It must contain at least 8 characters.\n',
    );
    expect(await userNamed('weak1')).toBeUndefined();
  });

  it('exits 1 naming a bad username', async () => {
    const result = await slipway(
      ['createsuperuser', '--no-input'],
      superuserEnv('no spaces', 'violet-tractor-91'),
    );
    expect(result.code).toBe(1);
    expect(afterUsingLine(result.stderr, testDb)).toBe(
      'slipway createsuperuser: username: Enter a username of up to 150 letters, digits and @/./+/-/_ characters.\n',
    );
  });

  it('exits 1 naming the missing variables, also when run without a terminal and without the flag', async () => {
    const expected =
      'slipway createsuperuser: --no-input needs SLIPWAY_SUPERUSER_USERNAME (or --username) and ' +
      'SLIPWAY_SUPERUSER_PASSWORD (or SLIPWAY_SUPERUSER_PASSWORD_FILE)\n';
    const flagged = await slipway(['createsuperuser', '--no-input']);
    expect(flagged).toMatchObject({ code: 1, stderr: expected });
    // A process whose stdin is a pipe: no prompt that would hang a CI job.
    const piped = await runSlipway(['createsuperuser'], { DATABASE_URL: testDb.url }, { cwd: testDb.tmp });
    expect(piped).toMatchObject({ code: 1, stderr: expected });
  });
});

describe('slipway createsuperuser on a terminal', needs(terminal), () => {
  it('prompts, hides the password, and asks again after a mismatch or a weak password', async () => {
    const term = runInTerminal(['createsuperuser'], { DATABASE_URL: testDb.url }, testDb.tmp);
    try {
      await term.waitFor('Username: ');
      term.typeLine('bad name');
      await term.waitFor('Error: Enter a username of up to 150 letters');
      await term.waitFor('Username: ');
      term.typeLine('tty-admin');
      await term.waitFor('Email address: ');
      term.typeLine('tty@example.com');

      await term.waitFor('Password: ');
      term.typeLine('First-Typed-Secret-1');
      await term.waitFor('Password (again): ');
      term.typeLine('Second-Typed-Secret-2');
      await term.waitFor("Error: your passwords didn't match.");

      await term.waitFor('Password: ');
      term.typeLine('tty-admin1');
      await term.waitFor('Password (again): ');
      term.typeLine('tty-admin1');
      await term.waitFor('Error: The password is too similar to the username.');

      await term.waitFor('Password: ');
      term.typeLine('Final-Typed-Secret-3');
      await term.waitFor('Password (again): ');
      term.typeLine('Final-Typed-Secret-3');
      await term.waitFor('Superuser "tty-admin" created.');
      expect(await term.exited()).toBe(0);
    } finally {
      term.kill();
    }

    const output = term.text();
    // What was typed at the visible prompts is echoed; nothing typed at a password prompt is.
    expect(output).toContain('Username: tty-admin\n');
    expect(output).toContain('Email address: tty@example.com\n');
    for (const secret of ['First-Typed', 'Second-Typed', 'tty-admin1', 'Final-Typed', 'Secret'])
      expect(output).not.toContain(secret);
    expect(output.match(/Password: /g)).toHaveLength(3);

    const row = await userNamed('tty-admin');
    expect(row).toMatchObject({ email: 'tty@example.com', is_staff: true, is_superuser: true });
    expect(await verifyPassword(row!.password, 'Final-Typed-Secret-3')).toBe(true);
  });

  it('keeps answers pasted all at once, before their prompts', async () => {
    const term = runInTerminal(['createsuperuser'], { DATABASE_URL: testDb.url }, testDb.tmp);
    try {
      await term.waitFor('Username: ');
      term.typeLine('paste-admin\npaste@example.com\nQuiet-Harbour-7731\nQuiet-Harbour-7731');
      await term.waitFor('Superuser "paste-admin" created.');
      expect(await term.exited()).toBe(0);
    } finally {
      term.kill();
    }
    expect(await verifyPassword((await userNamed('paste-admin'))!.password, 'Quiet-Harbour-7731')).toBe(true);
  });
});
