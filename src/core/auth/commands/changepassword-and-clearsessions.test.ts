import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryDatabase, withDatabase } from '../../testing/query-database.js';
import { runCommand } from '../../testing/run-command.js';
import { type CliResult, runSlipway, usingLine } from '../../testing/run-slipway.js';
import { runInTerminal, terminal } from '../../testing/terminal.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import { needs } from '../../testing/tools.js';
import { verifyPassword } from '../passwords.js';
import { createSession } from '../sessions.js';
import { createUser } from '../users.js';

// `slipway changepassword` and `slipway clearsessions` on a migrated database the test opens only
// between runs (PGlite admits one process at a time). They run in-process (runCommand), except
// where the process is the point: its stdin, a terminal's prompts.
let testDb: TestDatabase;
let slipway: (...args: string[]) => Promise<CliResult>;
const PASSWORD = 'violet-tractor-91';
const tokens: Record<string, string> = {};
const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

beforeAll(async () => {
  testDb = await createTestDatabase({ migrated: true });
  slipway = (...args) => runCommand(args, { DATABASE_URL: testDb.url }, { cwd: testDb.tmp });
  await withDatabase(testDb, async (database) => {
    const kim = await createUser(database.db, { username: 'kim', password: PASSWORD });
    const lee = await createUser(database.db, { username: 'lee', password: PASSWORD });
    const session = async (name: string, userId: number | null, maxAgeMs: number) => {
      tokens[name] = (await createSession(database.db, { userId, maxAgeMs })).token;
    };
    await session('kimLaptop', kim.id, 3_600_000);
    await session('kimPhone', kim.id, 3_600_000);
    await session('lee', lee.id, 3_600_000);
    await session('expiredKim', kim.id, -1000);
    await session('expiredAnonymous', null, -3_600_000);
  });
});
afterAll(() => testDb.drop());

const storedKeys = async () =>
  (await queryDatabase<{ key_hash: string }>(testDb, 'SELECT key_hash FROM auth_session')).map(
    (r) => r.key_hash,
  );

describe('slipway clearsessions', () => {
  it('deletes the expired sessions only', async () => {
    const result = await slipway('clearsessions');
    expect(result).toMatchObject({
      code: 0,
      stdout: 'Deleted 2 expired session(s).\n',
      stderr: usingLine(testDb),
    });
    expect((await storedKeys()).sort()).toEqual(
      [tokens['kimLaptop']!, tokens['kimPhone']!, tokens['lee']!].map(sha256).sort(),
    );
    expect((await slipway('clearsessions')).stdout).toBe('Deleted 0 expired session(s).\n');
  });
});

describe('slipway changepassword', () => {
  it('refuses to run without a terminal, in one line', async () => {
    // A process whose stdin is a pipe: main.ts must not take it for a terminal.
    const result = await runSlipway(
      ['changepassword', 'kim'],
      { DATABASE_URL: testDb.url },
      { cwd: testDb.tmp },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'slipway changepassword: changepassword needs a terminal to ask for the password\n',
    );
  });

  it('needs exactly one username', async () => {
    const result = await slipway('changepassword');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'slipway changepassword: give exactly one username: slipway changepassword <username>\n',
    );
  });
});

describe('slipway changepassword on a terminal', needs(terminal), () => {
  it('changes the password after a mismatch and a weak one, and ends their sessions', async () => {
    const term = runInTerminal(['changepassword', 'KIM'], { DATABASE_URL: testDb.url }, testDb.tmp);
    try {
      await term.waitFor('Password for "kim": ');
      term.typeLine('Typed-Secret-One-1');
      await term.waitFor('Password (again): ');
      term.typeLine('Typed-Secret-Two-2');
      await term.waitFor("Error: the passwords didn't match.");

      await term.waitFor('Password for "kim": ');
      term.typeLine('12345678');
      await term.waitFor('Password (again): ');
      term.typeLine('12345678');
      await term.waitFor('Error: This password is too common. This password is entirely numeric.');

      await term.waitFor('Password for "kim": ');
      term.typeLine('Typed-Secret-Final-3');
      await term.waitFor('Password (again): ');
      term.typeLine('Typed-Secret-Final-3');
      await term.waitFor('Password changed for "kim"; their sessions were ended.');
      expect(await term.exited()).toBe(0);
    } finally {
      term.kill();
    }
    expect(term.text()).not.toContain('Typed-Secret');
    expect(term.text()).not.toContain('12345678');

    const [kim] = await queryDatabase<{ password: string }>(
      testDb,
      "SELECT password FROM auth_user WHERE username = 'kim'",
    );
    expect(await verifyPassword(kim!.password, 'Typed-Secret-Final-3')).toBe(true);
    expect(await verifyPassword(kim!.password, PASSWORD)).toBe(false);
    // Both of kim's sessions are gone; lee's is untouched.
    expect(await storedKeys()).toEqual([sha256(tokens['lee']!)]);
  });

  it('names an unknown user in one line', async () => {
    const term = runInTerminal(['changepassword', 'nobody'], { DATABASE_URL: testDb.url }, testDb.tmp);
    try {
      expect(await term.exited()).toBe(1);
    } finally {
      term.kill();
    }
    expect(term.text().trim().split(/\r?\n/)).toEqual([
      usingLine(testDb).trim(),
      'slipway changepassword: no user with the username "nobody"',
    ]);
  });
});
