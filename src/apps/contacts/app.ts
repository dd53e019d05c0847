import { defineApp } from '../../core/apps/define-app.js';
import * as schema from './schema.js';

export default defineApp({
  name: 'contacts',
  label: 'Contacts',
  dependencies: ['auth', 'admin'],
  schema,
});
