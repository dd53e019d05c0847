import { join } from 'node:path';
import { defineApp } from '../../core/apps/define-app.js';
import { registerContactsAdmin } from './admin.js';
import { installDeletedFileSweeper, registerAttachmentRoutes } from './attachments/routes.js';
import { seedDemoContacts } from './demo.js';
import * as schema from './schema.js';
import { CHECK_RULES } from './validate.js';

/**
 * Contacts: people and companies with their addresses, telephones, e-mails and attachments, and
 * the primary-object rules (seeds/003): each person or company has exactly one primary address
 * and one primary telephone, enforced by the database (migration contacts/0002_primary_objects).
 */
export default defineApp({
  name: 'contacts',
  label: 'Contacts',
  migrations: join(import.meta.dirname, 'migrations'),
  dependencies: ['auth', 'admin'],
  schema,
  // The database's CHECK constraints in words, checked first on the admin's and the API's forms
  // and used by every process that installs the app (loaddata words the same refusals alike).
  checkRules: CHECK_RULES,
  admin: registerContactsAdmin,
  setup: installDeletedFileSweeper,
  routes: registerAttachmentRoutes,
  seed: ({ database }) => seedDemoContacts(database.db),
});
