import pino from 'pino';
import { createPerson } from '../src/apps/contacts/service.js';
import { installedApps } from '../src/apps/installed.js';
import { createToken } from '../src/core/api/tokens.js';
import { migrateApps } from '../src/core/apps/migrate-apps.js';
import { projectMigrations } from '../src/core/apps/project-migrations.js';
import { createRegistry } from '../src/core/apps/registry.js';
import { createUser } from '../src/core/auth/users.js';
import { loadConfig } from '../src/core/config/index.js';
import { openDatabase } from '../src/core/db/open-database.js';

/** A poll the load scripts vote on: a question and its choices' ids. */
export interface Poll {
  questionId: number;
  choiceIds: number[];
}

/**
 * Migrates the database at `url` and fills it for a benchmark: 1,000 questions with 4 choices
 * each, `persons` persons with an address, a telephone and an e-mail, and a superuser with an API
 * token. Returns the token's key and the newest two polls (the index lists them first).
 *
 * @example
 *   const { key, polls } = await seedBenchDatabase(db.url, db.tmp, { persons: 1000, username: 'loadtester', password });
 */
export async function seedBenchDatabase(
  url: string,
  cwd: string,
  options: { persons: number; username: string; password: string },
): Promise<{ key: string; polls: [Poll, Poll] }> {
  const log = pino({ level: 'warn' });
  const config = loadConfig({ env: { DATABASE_URL: url }, cwd, requireSecretKey: false });
  const registry = createRegistry(installedApps);
  const database = await openDatabase(config.database, { log, schema: registry.schema, role: 'client' });
  try {
    await migrateApps(database, registry, projectMigrations(installedApps), { log });
    await database.exec(`
      INSERT INTO polls_question (question_text, pub_date)
        SELECT 'Benchmark question ' || g, now() - make_interval(mins => g) FROM generate_series(1, 1000) g;
      INSERT INTO polls_choice (question_id, choice_text, votes)
        SELECT q.id, 'Choice ' || c, 0 FROM polls_question q, generate_series(1, 4) c;`);
    for (let i = 1; i <= options.persons; i++) {
      await createPerson(database.db, {
        person: { firstName: `Person${i}`, lastName: `Bench${i}` },
        addresses: [{ street: `${i} Main Street`, postalCode: '8001', city: 'Zürich', country: 'CH' }],
        telephones: [{ number: `+4144${String(1_000_000 + i).slice(1)}0` }],
        emails: [{ address: `person${i}@example.com` }],
      });
    }
    const admin = await createUser(database.db, {
      username: options.username,
      password: options.password,
      isStaff: true,
      isSuperuser: true,
    });
    const { key } = await createToken(database.db, { userId: admin.id, name: 'bench' });
    const polls: Poll[] = [];
    for (const q of await database.query<{ id: number }>(
      'SELECT id FROM polls_question ORDER BY pub_date DESC, id DESC LIMIT 2',
    )) {
      const choices = await database.query<{ id: number }>(
        'SELECT id FROM polls_choice WHERE question_id = $1 ORDER BY id',
        [q.id],
      );
      polls.push({ questionId: q.id, choiceIds: choices.map((c) => c.id) });
    }
    return { key, polls: polls as [Poll, Poll] };
  } finally {
    await database.close();
  }
}
