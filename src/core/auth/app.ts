import { join } from 'node:path';
import { defineApp } from '../apps/define-app.js';
import { registerAuthAdmin } from './admin.js';
import changepassword from './commands/changepassword.js';
import clearsessions from './commands/clearsessions.js';
import createsuperuser from './commands/createsuperuser.js';
import { syncPermissions } from './permissions.js';
import { installAuth } from './plugin.js';
import * as schema from './schema.js';

/** Accounts: users, groups, per-model permissions, database sessions, CSRF and login throttling. */
export default defineApp({
  name: 'auth',
  label: 'Authentication and authorization',
  migrations: join(import.meta.dirname, 'migrations'),
  schema,
  setup: (app, ctx) => installAuth(app, ctx),
  commands: [createsuperuser, changepassword, clearsessions],
  admin: registerAuthAdmin,
  afterMigrate: async ({ database, registry }) => {
    await syncPermissions(database.db, registry);
  },
});
