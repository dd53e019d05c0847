import type { Command } from '../command.js';
import backup from './backup.js';
import check from './check.js';
import dumpdata from './dumpdata.js';
import flush from './flush.js';
import healthcheck from './healthcheck.js';
import loaddata from './loaddata.js';
import makemigrations from './makemigrations.js';
import migrate from './migrate.js';
import resetdb from './resetdb.js';
import runserver from './runserver.js';
import seed from './seed.js';
import serve from './serve.js';
import showmigrations from './showmigrations.js';
import start from './start.js';
import startapp from './startapp.js';
import waitForDb from './wait-for-db.js';

/** The framework's commands. Apps may add their own through their manifest later. */
export const coreCommands: readonly Command[] = [
  serve,
  start,
  runserver,
  migrate,
  makemigrations,
  showmigrations,
  check,
  startapp,
  dumpdata,
  loaddata,
  flush,
  resetdb,
  seed,
  backup,
  waitForDb,
  healthcheck,
];
