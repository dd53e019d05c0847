import { migratedPgliteTemplate, migratedServerTemplate } from './templates.js';

/**
 * vitest's globalSetup: builds the migrated template of this run's engine once, before any test
 * file starts, so that files copy it instead of migrating (and never race to build it).
 */
export default async function setup(): Promise<void> {
  const serverUrl = process.env['TEST_DATABASE_URL'] || undefined;
  if (serverUrl) await migratedServerTemplate(serverUrl);
  else await migratedPgliteTemplate();
}
