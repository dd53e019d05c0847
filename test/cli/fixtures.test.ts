import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillDatabase } from '../../src/core/fixtures/testing.js';
import { queryDatabase, withDatabase } from '../../src/core/testing/query-database.js';
import { runCommand } from '../../src/core/testing/run-command.js';
import { afterUsingLine, type CliResult, runSlipway, usingLine } from '../../src/core/testing/run-slipway.js';
import { createTestDatabase, type TestDatabase } from '../../src/core/testing/test-database.js';

// dumpdata and loaddata as users run them, on a migrated database (a copy of the template). The
// commands run in-process (runCommand); one refusal runs as a process, for its exit code.
const engine = process.env['TEST_DATABASE_URL'] ? 'PostgreSQL' : 'PGlite';
let testDb: TestDatabase;
let slipway: (...args: string[]) => Promise<CliResult>;
const file = (name: string) => join(testDb.tmp, name);

beforeAll(async () => {
  testDb = await createTestDatabase({ migrated: true });
  slipway = (...args) => runCommand(args, { DATABASE_URL: testDb.url }, { cwd: testDb.tmp });
  await withDatabase(testDb, (database) => fillDatabase(database, { fx: false }));
});
afterAll(() => testDb.drop());

/** A failed command's stderr: exactly one line, no stack trace. */
function expectOneLineError(result: CliResult, command: string): string {
  expect(result.code).toBe(1);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(new RegExp(`^slipway ${command}: `));
  return result.stderr.trimEnd();
}

describe(`slipway dumpdata (${engine})`, () => {
  it('writes JSON to stdout, or to a file through <file>.tmp, and says how many objects', async () => {
    const stdout = await slipway('dumpdata');
    expect(stdout.code).toBe(0);
    const records = JSON.parse(stdout.stdout) as { model: string }[];
    expect(records.some((r) => r.model === 'contacts.attachment')).toBe(true);

    const written = await slipway('dumpdata', '-o', file('all.json'));
    expect(written.stdout).toBe(`Wrote ${records.length} object(s) to ${file('all.json')}\n`);
    expect(readFileSync(file('all.json'), 'utf8')).toBe(stdout.stdout);
    expect(existsSync(file('all.json.tmp'))).toBe(false);
  });

  it('dumps only the apps and models named, indented on request', async () => {
    const result = await slipway('dumpdata', 'polls.question', 'auth.group', '--indent', '2');
    const records = JSON.parse(result.stdout) as { model: string }[];
    expect(new Set(records.map((r) => r.model))).toEqual(new Set(['auth.group', 'polls.question']));
    expect(result.stdout).toContain('\n  "model": "auth.group",\n');
  });

  it('refuses unknown apps and models in one line, without writing a file', async () => {
    const asProcess = await runSlipway(
      ['dumpdata', 'polls.answer', '-o', file('x.json')],
      { DATABASE_URL: testDb.url },
      { cwd: testDb.tmp },
    );
    expect(expectOneLineError(asProcess, 'dumpdata')).toBe(
      'slipway dumpdata: unknown model "polls.answer"; polls has: choice, question',
    );
    expectOneLineError(await slipway('dumpdata', 'pols'), 'dumpdata');
    expectOneLineError(await slipway('dumpdata', '--indent', 'wide'), 'dumpdata');
    expect(
      expectOneLineError(await slipway('dumpdata', '-o', file('no/such/dir.json')), 'dumpdata'),
    ).toContain(`cannot write ${file('no/such/dir.json')}.tmp: ENOENT`);
    expect(existsSync(file('x.json'))).toBe(false);
    expect(existsSync(file('x.json.tmp'))).toBe(false);
  });

  it('says in its help that password hashes are included and sessions are not', async () => {
    const help = await slipway('help', 'dumpdata');
    expect(help.stdout).toContain("INCLUDES users' password hashes");
    expect(help.stdout).toContain('auth.session (sessions)');
  });
});

describe(`slipway dumpdata → flush → loaddata (${engine})`, () => {
  it('gives back identical data, attachments metadata included', async () => {
    expect((await slipway('dumpdata', '-o', file('before.json'))).code).toBe(0);
    const count = (JSON.parse(readFileSync(file('before.json'), 'utf8')) as unknown[]).length;
    expect((await slipway('flush', '--no-input')).stdout).toMatch(/^Flushed \d+ table\(s\)\.\n$/);
    expect(await queryDatabase(testDb, 'SELECT id FROM contacts_attachment')).toEqual([]);

    const loaded = await slipway('loaddata', file('before.json'));
    expect(loaded.stderr).toBe(usingLine(testDb));
    expect(loaded.stdout).toBe(`Installed ${count} object(s) from 1 fixture(s)\n`);
    await slipway('dumpdata', '-o', file('after.json'));
    expect(readFileSync(file('after.json'), 'utf8')).toBe(readFileSync(file('before.json'), 'utf8'));
    expect(
      await queryDatabase(testDb, 'SELECT original_name, size FROM contacts_attachment ORDER BY id'),
    ).toEqual([
      { original_name: "portrait 'Ada'.png", size: 48213 },
      { original_name: 'notes.pdf', size: 1024 },
    ]);
  });

  it('leaves the sequences past the loaded ids: the next user gets the next id', async () => {
    const created = await runCommand(
      ['createsuperuser', '--no-input', '--username', 'carol'],
      { DATABASE_URL: testDb.url, SLIPWAY_SUPERUSER_PASSWORD: 'Tangerine-Harbour-Lantern-42' },
      { cwd: testDb.tmp },
    );
    expect(created.stderr).toBe(usingLine(testDb));
    expect(await queryDatabase(testDb, "SELECT id FROM auth_user WHERE username = 'carol'")).toEqual([
      { id: 3 },
    ]);
  });
});

describe(`slipway loaddata refusing data (${engine})`, () => {
  it('rolls everything back and names the file, record, model, pk and field in one line', async () => {
    writeFileSync(
      file('bad.json'),
      JSON.stringify([
        {
          model: 'polls.question',
          pk: 50,
          fields: { questionText: 'Fine', pubDate: '2026-01-01T00:00:00Z' },
        },
        { model: 'polls.choice', pk: 50, fields: { questionId: 50, choiceText: 'Fine', votes: 0 } },
        { model: 'polls.choice', pk: 51, fields: { questionId: 404, choiceText: 'Orphan', votes: 0 } },
      ]),
    );
    const refused = await slipway('loaddata', file('bad.json'));
    const message = expectOneLineError(
      { ...refused, stderr: afterUsingLine(refused.stderr, testDb) },
      'loaddata',
    );
    expect(message).toContain(`${file('bad.json')}[2] (polls.choice pk=51), field "questionId": `);
    expect(message).toContain('Key (question_id)=(404) is not present in table "polls_question"');
    expect(message).toMatch(/; nothing was loaded$/);
    expect(await queryDatabase(testDb, 'SELECT id FROM polls_question WHERE id = 50')).toEqual([]);
  });

  it('names a missing file, a file that is not JSON, and asks for at least one file', async () => {
    writeFileSync(file('broken.json'), '[{"model": ');
    expect(expectOneLineError(await slipway('loaddata', file('nope.json')), 'loaddata')).toBe(
      `slipway loaddata: ${file('nope.json')}: no such file`,
    );
    expect(expectOneLineError(await slipway('loaddata', file('broken.json')), 'loaddata')).toContain(
      `${file('broken.json')}: not valid JSON: `,
    );
    expect(expectOneLineError(await slipway('loaddata'), 'loaddata')).toContain(
      'Usage: slipway loaddata <file>…',
    );
  });
});
