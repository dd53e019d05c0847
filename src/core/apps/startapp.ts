import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandError } from '../errors.js';
import { humanize } from '../text.js';

/**
 * `slipway startapp <name>`'s work, Django's `startapp`: a new app's folder under src/apps/, in
 * the style of polls and contacts, which passes the typecheck and the lint as written. Nothing
 * existing is overwritten; installing the app (src/apps/installed.ts) stays the developer's edit.
 */

/** Lowercase words joined by single underscores: `shelf`, `book_club`, `app2`. */
const APP_NAME = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/**
 * The longest name. It prefixes the app's table and constraint names (`<name>_item_quantity_check`),
 * and PostgreSQL cuts identifiers at 63 bytes.
 */
export const MAX_APP_NAME = 30;

/** The framework's own apps (`core` names its migrations): their names stay theirs. */
export const CORE_APP_NAMES: readonly string[] = ['auth', 'admin', 'api', 'core'];

/** installed.ts imports an app under its name, so the name must be a variable name. */
const RESERVED_WORDS = new Set(
  (
    'arguments await break case catch class const continue debugger default delete do else enum eval ' +
    'export extends false finally for function if implements import in instanceof interface let new ' +
    'null package private protected public return static super switch this throw true try typeof ' +
    'undefined var void while with yield'
  ).split(' '),
);

/** Why `name` cannot be a new app's name (one line), or undefined when it can. */
export function appNameProblem(name: string): string | undefined {
  if (!APP_NAME.test(name))
    return `"${name}" is not a valid app name: use lowercase letters and digits, words joined by one underscore, starting with a letter (shelf, book_club)`;
  if (name.length > MAX_APP_NAME)
    return `"${name}" is too long: at most ${MAX_APP_NAME} characters (it prefixes the app's table names)`;
  if (CORE_APP_NAMES.includes(name))
    return `"${name}" is the name of one of Slipway's own apps (${CORE_APP_NAMES.join(', ')}): choose another`;
  if (RESERVED_WORDS.has(camel(name)))
    return `"${name}" is a reserved word in JavaScript, and src/apps/installed.ts imports the app under its name: choose another`;
  return undefined;
}

/** `book_club` → `bookClub`; `Book_club` with `pascal`. */
function camel(name: string, pascal = false): string {
  const words = name.split('_');
  return words.map((w, i) => (i === 0 && !pascal ? w : w.charAt(0).toUpperCase() + w.slice(1))).join('');
}

/** The name installed.ts imports the app under: `book_club` → `bookClub`. */
export function appIdentifier(name: string): string {
  return camel(name);
}

/** The example model's names, for the generated files and what the command prints. */
export function appNames(name: string) {
  return {
    label: humanize(name),
    /** The schema export: unique across apps (the registry merges every app's exports). */
    table: `${camel(name)}Item`,
    tableName: `${name}_item`,
    constraint: `${name}_item_quantity_check`,
    model: `${camel(name)}ItemModel`,
    registerAdmin: `register${camel(name, true)}Admin`,
  };
}

/** The new app's files, by path relative to its folder. */
export function appFiles(name: string): Record<string, string> {
  const n = appNames(name);
  const app = `import { join } from 'node:path';
import { defineApp } from '../../core/apps/define-app.js';
import { ${n.registerAdmin} } from './admin.js';
import { CHECK_RULES } from './models.js';
import * as schema from './schema.js';

/**
 * ${n.label}: its manifest, Django's AppConfig. Install it in src/apps/installed.ts, after the apps
 * it depends on. Other hooks an app may give: \`routes\` (its pages and API endpoints), \`staticDir\`,
 * \`seed\` (demo data for \`slipway seed --demo\`), \`setup\`, \`checks\` (see src/core/apps/define-app.ts).
 */
export default defineApp({
  // Also the prefix of its table names (${n.tableName}) and of its permissions (${name}.add_item).
  name: '${name}',
  label: '${n.label}',
  // \`slipway makemigrations ${name}\` writes its migrations here: 0001_initial.sql, …
  migrations: join(import.meta.dirname, 'migrations'),
  dependencies: ['auth', 'admin'],
  schema,
  // The words of its CHECK constraints, shown on the admin's form and in the API's 422.
  checkRules: CHECK_RULES,
  // Its models in the admin, and by the same registration in the REST API.
  admin: ${n.registerAdmin},
});
`;
  const schema = `import { sql } from 'drizzle-orm';
import { check, integer, pgTable, varchar } from 'drizzle-orm/pg-core';
import { id } from '../../core/db/columns.js';

// The app's models: Drizzle tables named \`${name}_<model>\`. After a change here,
// \`npx slipway makemigrations ${name}\` writes the migration and \`npx slipway migrate\` applies it.
// Export names are shared by every installed app, hence \`${n.table}\`, not \`item\`.

/** An example model: rename it, or replace it with your own. */
export const ${n.table} = pgTable(
  '${n.tableName}',
  {
    ...id(),
    // Required: NOT NULL, so the admin's form and the API refuse it empty.
    name: varchar('name', { length: 100 }).notNull(),
    quantity: integer('quantity').notNull().default(0),
  },
  // A rule the database enforces for every writer; its words are CHECK_RULES in models.ts.
  (t) => [check('${n.constraint}', sql\`\${t.quantity} >= 0\`)],
);
`;
  const models = `import type { CheckRule } from '../../core/db/check-rules.js';
import { defineModel } from '../../core/models/define-model.js';
import { ${n.table} } from './schema.js';

/**
 * The CHECK constraints of schema.ts in words. The model layer asks the database the constraint
 * before a write and shows this message on the field, with the write's other problems (the
 * admin's form, the API's 422, the OpenAPI document): the rule needs no copy in JavaScript.
 */
export const CHECK_RULES: readonly CheckRule[] = [
  {
    name: '${n.constraint}',
    column: ${n.table}.quantity,
    message: 'The quantity cannot be negative.',
  },
];

/**
 * The model's own rules, run on every write through the admin and the API. A rule the database
 * can say is a CHECK in schema.ts; \`clean\` is for the others (here, a name made of digits only).
 * \`defineModel\` may also take \`save\` and \`delete\` hooks (docs/models.md).
 */
export const ${n.model} = defineModel(${n.table}, {
  clean: ({ values }) =>
    typeof values.name === 'string' && /^[0-9]+$/.test(values.name)
      ? [{ field: 'name', message: 'Enter a name, not only digits.' }]
      : [],
});
`;
  const admin = `import type { AdminSite } from '../../core/admin/site.js';
import { ${n.model} } from './models.js';
import { ${n.table} } from './schema.js';

/**
 * ${n.label} in the admin (/admin/${name}/item/) and, by the same registration, in the REST API
 * (/api/v1/${name}/item/). \`api: false\` would keep a model out of the API.
 */
export function ${n.registerAdmin}(site: AdminSite): void {
  site.register(${n.table}, {
    model: ${n.model},
    str: (item) => item.name,
    list: ['name', 'quantity'],
    search: ['name'],
    ordering: ['name'],
    // The API's part: which fields it shows and writes, its ?ordering= keys and filters.
    api: { ordering: ['name', 'quantity'] },
  });
}
`;
  return { 'app.ts': app, 'schema.ts': schema, 'models.ts': models, 'admin.ts': admin };
}

/** Biome's line width (biome.json): a longer list line is one app a line. */
const LINE_WIDTH = 110;

/**
 * What installing the app in installed.ts takes: its import line, and how to add it to the list
 * (`list`: the list's line with the app added; `block`: the list one app a line, when that line
 * would be too long; `entry`: the line to add at the end of a list already written so).
 */
export function installLines(
  name: string,
  installedSource: string | undefined,
): { importLine: string; list?: string; block?: string[]; entry?: string } {
  const ident = appIdentifier(name);
  const importLine = `import ${ident} from './${name}/app.js';`;
  const source = installedSource ?? '';
  const oneLine = source.match(/^(export const installedApps\b[^=\n]*=\s*\[)([^\]\n]*)(\];?)$/m);
  if (oneLine) {
    const apps = [
      ...oneLine[2]!
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
      ident,
    ];
    const list = `${oneLine[1]}${apps.join(', ')}${oneLine[3]}`;
    if (list.length <= LINE_WIDTH) return { importLine, list };
    return { importLine, block: [oneLine[1]!, ...apps.map((a) => `  ${a},`), oneLine[3]!] };
  }
  if (/^export const installedApps\b[^=\n]*=\s*\[\n/m.test(source))
    return { importLine, entry: `  ${ident},` };
  return { importLine };
}

/**
 * Creates `<appsDir>/<name>/` with the app's files and an empty migrations/ folder. Throws, with
 * one line saying why, for a bad name or an existing folder or app; never overwrites a file.
 */
export function createApp(appsDir: string, name: string): { dir: string; files: string[] } {
  const problem = appNameProblem(name);
  if (problem) throw new CommandError(problem);
  if (!existsSync(appsDir))
    throw new CommandError(
      `there is no src/apps folder here: run startapp in a checkout of the project, not in its image`,
    );
  const dir = join(appsDir, name);
  if (existsSync(dir)) throw new CommandError(`src/apps/${name} already exists: choose another name`);
  const installed = join(appsDir, 'installed.ts');
  const source = existsSync(installed) ? readFileSync(installed, 'utf8') : '';
  const ident = appIdentifier(name);
  if (new RegExp(`\\b(import|const|let|function)\\s+${ident}\\b`).test(source))
    throw new CommandError(`src/apps/installed.ts already uses the name ${ident}: choose another name`);
  mkdirSync(dir); // not recursive: fails if another process made it meanwhile
  const files = appFiles(name);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text, { flag: 'wx' });
  mkdirSync(join(dir, 'migrations'));
  return { dir, files: [...Object.keys(files), 'migrations/'] };
}
