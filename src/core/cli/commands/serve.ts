import { defineCommand } from '../command.js';
import start, { WORKERS_HELP } from './start.js';

export default defineCommand({
  name: 'serve',
  summary: 'Run the HTTP server (waits for the database; migrates first when AUTO_MIGRATE=1).',
  usage: 'slipway serve [--workers N|auto]',
  options: { workers: { type: 'string' } },
  needsSecretKey: true,
  description:
    'Listens on HOST:PORT. On SIGTERM or SIGINT, /readyz turns 503, in-flight requests finish, and the\n' +
    'process exits 0, or 1 if SHUTDOWN_TIMEOUT passes first. A second signal exits at once.\n' +
    WORKERS_HELP,
  run: (ctx, args) => start.run(ctx, args),
});
