import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { appIdentifier, appNames, createApp, installLines } from '../../apps/startapp.js';
import { CommandError } from '../../errors.js';
import { projectRoot } from '../../paths.js';
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'startapp',
  summary: 'Create src/apps/<name>/: a new app with an example model, its admin and API (as Django’s).',
  usage: 'slipway startapp <name>',
  description:
    'Creates src/apps/<name>/ with app.ts (the manifest), schema.ts (an example table, <name>_item, with\n' +
    'a CHECK constraint), models.ts (the CHECK in words and a `clean` rule), admin.ts (its admin and API\n' +
    'registration) and an empty migrations/ folder, then prints the lines that install it in\n' +
    'src/apps/installed.ts and the commands that create its table. The name is lowercase letters and\n' +
    'digits, words joined by one underscore; it is refused, and nothing is written, when it names a\n' +
    "folder of src/apps, an installed app or one of Slipway's own (auth, admin, api, core).",
  positionals: true,
  // Writes files only: no database, no installed apps loaded (a broken app must not stop it).
  lean: true,
  run(ctx, { positionals }) {
    const [name, ...more] = positionals;
    if (name === undefined || more.length > 0)
      throw new CommandError('give the new app’s name, one word: slipway startapp <name>');
    const appsDir = join(projectRoot, 'src', 'apps');
    const { dir, files } = createApp(appsDir, name);
    const shown = relative(process.cwd(), dir) || dir;
    const installed = join(appsDir, 'installed.ts');
    const install = installLines(name, existsSync(installed) ? readFileSync(installed, 'utf8') : undefined);
    const n = appNames(name);
    ctx.out(`Created ${shown}/: ${files.join(', ')}.`);
    ctx.out('');
    ctx.out('Next:');
    ctx.out(
      '  1. Install it in src/apps/installed.ts. Import it with the other apps, in alphabetical order:',
    );
    ctx.out(`       ${install.importLine}`);
    const after = 'after the apps it depends on (auth, admin)';
    if (install.list) {
      ctx.out(`     and add it at the end of the list, ${after}:`);
      ctx.out(`       ${install.list}`);
    } else if (install.block) {
      ctx.out(`     and add it at the end of the list, ${after}, one app a line:`);
      for (const line of install.block) ctx.out(`       ${line}`);
    } else if (install.entry) {
      ctx.out(`     and add this line at the end of the list, ${after}:`);
      ctx.out(`       ${install.entry}`);
    } else ctx.out(`     and add ${appIdentifier(name)} at the end of installedApps, ${after}.`);
    ctx.out(`  2. npx slipway makemigrations ${name}`);
    ctx.out(`     writes its first migration, ${shown}/migrations/0001_initial.sql;`);
    ctx.out('  3. npx slipway migrate');
    ctx.out(`     applies it: creates the table ${n.tableName}.`);
    ctx.out(`Then it is in the admin at /admin/${name}/item/ and in the API at /api/v1/${name}/item/.`);
    return 0;
  },
});
