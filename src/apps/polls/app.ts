import { defineApp } from '../../core/apps/define-app.js';
import { registerPollsAdmin } from './admin.js';
import * as schema from './schema.js';

export default defineApp({
  name: 'polls',
  label: 'Polls',
  schema,
  admin: registerPollsAdmin,
});
