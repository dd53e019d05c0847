import { defineCheckRules } from '../../core/admin/services/check-rules.js';
import { defineApp } from '../../core/apps/define-app.js';
import { registerContactsAdmin } from './admin.js';
import { installDeletedFileSweeper, registerAttachmentRoutes } from './attachments/routes.js';
import { seedDemoContacts } from './demo.js';
import * as schema from './schema.js';
import { CHECK_RULES } from './validate.js';

// The database's CHECK constraints in words (and checked first on the admin's and the API's
// forms). Given when this manifest is loaded, which every process installing the app does, not
// when the admin site is built: loaddata builds no admin and words the same refusals alike.
defineCheckRules(CHECK_RULES);

/**
 * Contacts: people and companies with their addresses, telephones, e-mails and attachments, and
 * the primary-object rules (seeds/003): each person or company has exactly one primary address
 * and one primary telephone, enforced by the database (migration 0006_primary_objects).
 */
export default defineApp({
  name: 'contacts',
  label: 'Contacts',
  dependencies: ['auth', 'admin'],
  schema,
  admin: registerContactsAdmin,
  setup: installDeletedFileSweeper,
  routes: registerAttachmentRoutes,
  seed: ({ database }) => seedDemoContacts(database.db),
});
