import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedApps } from '../../src/apps/installed.js';
import { superuserClients } from '../../src/core/api/testing.js';
import type { AppManifest } from '../../src/core/apps/define-app.js';
import { appNameProblem, installLines } from '../../src/core/apps/startapp.js';
import { projectRoot } from '../../src/core/paths.js';
import { buildTestApp, type TestApp } from '../../src/core/testing/build-test-app.js';
import { trackChild } from '../../src/core/testing/children.js';
import { copyProject } from '../../src/core/testing/project-copy.js';
import { type CliResult, runSlipway } from '../../src/core/testing/run-slipway.js';
import { createTestDatabase, type TestDatabase } from '../../src/core/testing/test-database.js';

// Issue 13: adding an app touches its own folder and the installed apps, nothing else. In a copy
// of the project, `startapp shelf` writes the app, the lines it prints install it, and the usual
// commands make and apply its first migration; the admin and the API then serve its model, with
// the rules the generated files declare. Runs on the engine of the suite.
let project: string;
let testDb: TestDatabase;
let slipway: (...args: string[]) => Promise<CliResult>;
let t: TestApp | undefined;

beforeAll(async () => {
  project = copyProject();
  cpSync(join(projectRoot, 'biome.json'), join(project, 'biome.json'));
  testDb = await createTestDatabase();
  slipway = (...args) => runSlipway(args, { DATABASE_URL: testDb.url }, { cwd: project, project });
});
afterAll(async () => {
  await t?.close();
  await testDb.drop();
});

/** Runs a tool of node_modules/.bin in the copy: its exit code and output. */
function run(tool: string, args: string[]): Promise<{ code: number | null; output: string }> {
  const child: ChildProcess = trackChild(
    spawn(join(project, 'node_modules', '.bin', tool), args, { cwd: project, env: process.env }),
  );
  let output = '';
  child.stdout!.on('data', (d) => {
    output += d;
  });
  child.stderr!.on('data', (d) => {
    output += d;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

/** Adds the app to installed.ts with exactly the lines startapp printed, the import in sorted order. */
function install(stdout: string): void {
  const lines = stdout.split('\n').map((l) => l.trim());
  const importLine = lines.find((l) => l.startsWith('import shelf '))!;
  const listLine = lines.find((l) => l.startsWith('export const installedApps'))!;
  expect(importLine).toBe("import shelf from './shelf/app.js';");
  expect(listLine).toMatch(/, shelf\];$/);
  const file = join(project, 'src/apps/installed.ts');
  const source = readFileSync(file, 'utf8')
    .replace("import polls from './polls/app.js';\n", `import polls from './polls/app.js';\n${importLine}\n`)
    .replace(/^export const installedApps.*$/m, listLine);
  expect(source).toContain(importLine);
  writeFileSync(file, source);
}

describe('slipway startapp', { timeout: 180_000 }, () => {
  it('refuses a bad name, a core app’s name and an existing app, in one line, writing nothing', async () => {
    const before = readdirSync(join(project, 'src/apps')).sort();
    for (const [name, words] of [
      ['Shelf', '"Shelf" is not a valid app name: use lowercase letters and digits'],
      ['admin', '"admin" is the name of one of Slipway\'s own apps (auth, admin, api, core)'],
      ['polls', 'src/apps/polls already exists: choose another name'],
    ] as const) {
      const r = await slipway('startapp', name);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.startsWith(`slipway startapp: ${words}`), r.stderr).toBe(true);
      expect(r.stderr.split('\n')).toHaveLength(2); // one line
    }
    expect((await slipway('startapp')).stderr).toBe(
      'slipway startapp: give the new app’s name, one word: slipway startapp <name>\n',
    );
    expect(readdirSync(join(project, 'src/apps')).sort()).toEqual(before);
    for (const bad of ['2shelf', 'my-shelf', 'my__shelf', 'shelf_', 'café', 'class', 'core', 'a'.repeat(31)])
      expect(appNameProblem(bad), bad).toBeDefined();
    for (const good of ['shelf', 'book_club', 'app2']) expect(appNameProblem(good), good).toBeUndefined();
  });

  it('says how to install the app however installed.ts writes its list', () => {
    const head = 'export const installedApps: readonly AppManifest[] = [';
    expect(installLines('book_club', `${head}auth, admin, api];\n`)).toEqual({
      importLine: "import bookClub from './book_club/app.js';",
      list: `${head}auth, admin, api, bookClub];`,
    });
    // A line Biome would break (over 110 characters): one app a line, as Biome writes it.
    const long = ['auth', 'admin', 'api', 'polls', 'contacts', 'library', 'catalogue'];
    expect(installLines('book_club', `${head}${long.join(', ')}];\n`).block).toEqual([
      head,
      ...[...long, 'bookClub'].map((a) => `  ${a},`),
      '];',
    ]);
    expect(installLines('shelf', `${head}\n  auth,\n  admin,\n];\n`)).toEqual({
      importLine: "import shelf from './shelf/app.js';",
      entry: '  shelf,',
    });
    expect(installLines('shelf', 'export default [auth];')).toEqual({
      importLine: "import shelf from './shelf/app.js';",
    });
  });

  it('writes an app that passes the lint, and never overwrites it', async () => {
    const made = await slipway('startapp', 'shelf');
    expect(made).toMatchObject({ code: 0, stderr: '' });
    expect(made.stdout).toContain(
      'Created src/apps/shelf/: app.ts, schema.ts, models.ts, admin.ts, migrations/.',
    );
    expect(made.stdout).toContain('npx slipway makemigrations shelf\n');
    expect(made.stdout).toContain('npx slipway migrate\n');
    const dir = join(project, 'src/apps/shelf');
    expect(readdirSync(dir).sort()).toEqual(['admin.ts', 'app.ts', 'migrations', 'models.ts', 'schema.ts']);
    expect(readdirSync(join(dir, 'migrations'))).toEqual([]);
    const app = readFileSync(join(dir, 'app.ts'), 'utf8');
    const again = await slipway('startapp', 'shelf');
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('slipway startapp: src/apps/shelf already exists: choose another name\n');
    expect(readFileSync(join(dir, 'app.ts'), 'utf8')).toBe(app);
    install(made.stdout);
    const lint = await run('biome', [
      'check',
      '--vcs-enabled=false',
      'src/apps/shelf',
      'src/apps/installed.ts',
    ]);
    expect(lint.output).toContain('Checked 5 files');
    expect(lint.code, lint.output).toBe(0);
  });

  it('typechecks as generated', async () => {
    // Only the new app's files and what they import; errors elsewhere (a partial program misses
    // declaration merging the whole project has) are not the new app's.
    writeFileSync(
      join(project, 'tsconfig.startapp.json'),
      JSON.stringify({ extends: './tsconfig.json', include: ['src/apps/shelf'] }),
    );
    const tsc = await run('tsc', ['--noEmit', '--listFiles', '-p', 'tsconfig.startapp.json']);
    for (const file of ['app.ts', 'schema.ts', 'models.ts', 'admin.ts'])
      expect(tsc.output).toContain(join(project, 'src/apps/shelf', file));
    expect(tsc.output.split('\n').filter((l) => l.startsWith('src/apps/shelf'))).toEqual([]);
  });

  it('gets its first migration from makemigrations, which migrate applies', async () => {
    const made = await slipway('makemigrations', 'shelf');
    expect(made.stdout).toMatch(/^Created src\/apps\/shelf\/migrations\/0001_initial\.sql, which will:\n/);
    const sql = readFileSync(join(project, 'src/apps/shelf/migrations/0001_initial.sql'), 'utf8');
    expect(sql).toContain('CREATE TABLE "shelf_item"');
    expect(sql).toContain('CONSTRAINT "shelf_item_quantity_check" CHECK');
    const migrate = await slipway('migrate');
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toContain('Applying shelf/0001_initial\n');
    expect((await slipway('showmigrations', 'shelf')).stdout).toMatch(
      /^shelf\n \[X\] 0001_initial {2}\(applied /,
    );
    expect(await slipway('check')).toMatchObject({ code: 0, stdout: 'System check identified no issues.\n' });
  });

  it('is served by the admin and the API, with the rules its files declare', async () => {
    // The generated app, as the copy's CLI loaded it, installed after the project's apps.
    const shelf = ((await import(join(project, 'src/apps/shelf/app.ts'))) as { default: AppManifest })
      .default;
    expect(existsSync(join(project, 'src/apps/shelf/migrations/0001_initial.sql'))).toBe(true);
    t = await buildTestApp({ apps: [...installedApps, shelf] });
    const { browser, api } = await superuserClients(t.app, t.database.db);
    expect((await api.post('/api/v1/shelf/item/', { name: 'Atlas', quantity: 2 })).statusCode).toBe(201);
    const list = await api.get('/api/v1/shelf/item/');
    expect(list.json().results).toEqual([expect.objectContaining({ name: 'Atlas', quantity: 2 })]);
    const refused = await api.post('/api/v1/shelf/item/', { name: '1984', quantity: -1 });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors).toEqual([
      { field: 'name', message: 'Enter a name, not only digits.' },
      { field: 'quantity', message: 'The quantity cannot be negative.' },
    ]);
    const changelist = await browser.get('/admin/shelf/item/');
    expect(changelist.statusCode).toBe(200);
    expect(changelist.body).toContain('Atlas');
    const form = await browser.post('/admin/shelf/item/add/', { name: 'Globe', quantity: '-3' });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('The quantity cannot be negative.');
  });
});
