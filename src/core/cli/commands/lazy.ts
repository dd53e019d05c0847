import type { Command } from '../command.js';

type Loader = () => Promise<{ default: Command }>;

/**
 * The framework's commands by name, each module loaded only when that command runs: `slipway
 * backup create` then loads the backup code, not the HTTP server, the admin and every app
 * (about 60 MiB of modules, issue 10's memory target). Same names and order as `coreCommands`
 * in index.ts, which `slipway help` loads whole (a test keeps the two equal).
 */
export const coreCommandLoaders: Readonly<Record<string, Loader>> = {
  serve: () => import('./serve.js'),
  start: () => import('./start.js'),
  runserver: () => import('./runserver.js'),
  migrate: () => import('./migrate.js'),
  makemigrations: () => import('./makemigrations.js'),
  showmigrations: () => import('./showmigrations.js'),
  check: () => import('./check.js'),
  startapp: () => import('./startapp.js'),
  dumpdata: () => import('./dumpdata.js'),
  loaddata: () => import('./loaddata.js'),
  flush: () => import('./flush.js'),
  resetdb: () => import('./resetdb.js'),
  seed: () => import('./seed.js'),
  backup: () => import('./backup.js'),
  'wait-for-db': () => import('./wait-for-db.js'),
  healthcheck: () => import('./healthcheck.js'),
};
