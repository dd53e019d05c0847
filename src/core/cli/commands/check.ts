import type { AppContext } from '../../apps/define-app.js';
import { projectMigrations } from '../../apps/project-migrations.js';
import { deployProblems } from '../../config/deploy-checks.js';
import { checkAppModels } from '../../db/migrate/check-models.js';
import { undeclaredDependencies } from '../../db/migrate/graph.js';
import { rollingProblems } from '../../db/migrate/rolling-safety.js';
import { changedMessage, migrationStatus } from '../../db/migrate/runner.js';
import { describeDbError } from '../../db/unavailable.js';
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'check',
  summary: 'Find models without migrations, edited or unapplied migrations, and (--deploy) unsafe settings.',
  usage: 'slipway check [--deploy]',
  description:
    'Exits 1 and lists every problem: tables and columns that differ between the models and the migrations,\n' +
    'applied migrations whose files changed or are missing, pending migrations, and with --deploy: DEBUG on,\n' +
    'a default or short SECRET_KEY, empty ALLOWED_HOSTS, PGlite instead of PostgreSQL. Pending migrations that\n' +
    'would break the release still running during a rolling update (dropping or renaming a column or table,\n' +
    'NOT NULL without a DEFAULT, a type change, a constraint without NOT VALID, an index without CONCURRENTLY)\n' +
    'are named with the way to write them instead; `-- slipway:allow <rule>` in a migration accepts one.',
  options: { deploy: { type: 'boolean' } },
  async run(ctx, { values }) {
    const problems: string[] = [];
    const add = (area: string, lines: string[]) => problems.push(...lines.map((l) => `${area}: ${l}`));

    try {
      add('models', await checkAppModels(ctx.registry().apps));
    } catch (error) {
      // The production image leaves drizzle-kit out: the drift check belongs in a checkout.
      if (!isMissingPackage(error, 'drizzle-kit')) throw error;
      ctx.out(
        'models: not checked here (drizzle-kit, a development tool, is not installed): run it in a checkout',
      );
    }
    // What the apps provide (the admin's index) is built once, as at boot, and handed to every
    // app's checks; a provide that fails (bad admin registrations) is itself the problem.
    const registry = ctx.registry();
    let provided: Partial<AppContext> = {};
    for (const app of registry.apps) {
      if (!app.provide) continue;
      try {
        provided = { ...provided, ...app.provide(registry) };
      } catch (error) {
        add(app.name, problemsOf(error));
      }
    }
    for (const app of registry.apps) add(app.name, app.checks?.(registry, provided) ?? []);
    if (values['deploy']) add('deploy', deployProblems(ctx.config()));

    const files = projectMigrations(ctx.registry().apps);
    add('migrations', undeclaredDependencies(files));
    try {
      const database = await ctx.database();
      const status = await database.withSession((s) => migrationStatus(s, files));
      if (status.changed.length > 0) add('migrations', [changedMessage(status.changed)]);
      for (const m of status.missing) add('migrations', [`${m.name} is applied but its file is missing`]);
      if (status.pending.length > 0)
        add('migrations', [
          `${status.pending.length} unapplied: ${status.pending.map((f) => f.name).join(', ')} (run slipway migrate)`,
        ]);
      // The release that runs now keeps serving while these apply (a rolling update). A database
      // with nothing applied has no release running against it.
      if (status.applied.length > 0)
        for (const file of status.pending) add('migrations', rollingProblems(file));
    } catch (error) {
      add('database', [`cannot read the applied migrations: ${describeDbError(error)}`]);
    }

    if (problems.length === 0) {
      ctx.out('System check identified no issues.');
      return 0;
    }
    ctx.out(`System check identified ${problems.length} issue(s):`);
    for (const p of problems) ctx.out(`  ${p}`);
    return 1;
  },
});

/** An error as lines: its `problems` (AdminRegistrationError lists every one), else its message. */
function problemsOf(error: unknown): string[] {
  const { problems, message } = error as { problems?: unknown; message?: unknown };
  if (Array.isArray(problems) && problems.every((p) => typeof p === 'string')) return problems;
  return [String(message ?? error)];
}

function isMissingPackage(error: unknown, name: string): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return code === 'ERR_MODULE_NOT_FOUND' && String(message).includes(`'${name}`);
}
