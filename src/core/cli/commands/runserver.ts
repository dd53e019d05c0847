import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../paths.js';
import { runWithReloader } from '../autoreload.js';
import { defineCommand } from '../command.js';
import start from './start.js';

/** Development defaults, used only where neither the environment nor `.env` sets the variable. */
export const DEVELOPMENT_DEFAULTS = { DEBUG: '1', AUTO_MIGRATE: '1', HOST: '127.0.0.1' };

/** What the reloader watches: the sources, apps' migrations included (a new one is applied on restart). */
const WATCHED = [join(projectRoot, 'src')];

export default defineCommand({
  name: 'runserver',
  summary:
    'Run the server for development, restarting it when a source file changes: DEBUG=1, AUTO_MIGRATE=1 and HOST=127.0.0.1 unless set (npm start).',
  usage: 'slipway runserver [--noreload]',
  description:
    "Watches src/ (the apps' migrations too) and restarts the server after a change to a .ts, .sql or .json file\n" +
    '(files under static/ are served as they are, with no restart). Each restart stops the old server\n' +
    'gracefully before the new one starts, so the embedded database and the port pass cleanly from one\n' +
    'to the next. --noreload runs the server in this process, without watching (also where src/ is absent,\n' +
    'as in the production image).',
  options: { noreload: { type: 'boolean' } },
  configDefaults: DEVELOPMENT_DEFAULTS,
  needsSecretKey: true,
  run(ctx, args) {
    if (args.values['noreload'] || !existsSync(WATCHED[0]!)) {
      // Under the reloader: shut down gracefully if the reloader dies without stopping us first.
      if (process.connected) process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
      return start.run(ctx, args);
    }
    ctx.config(); // a bad configuration fails here, once, not in a restart loop
    return runWithReloader({
      command: [process.execPath, process.argv[1]!, 'runserver', '--noreload', ...process.argv.slice(3)],
      watch: WATCHED,
      log: ctx.log(),
    });
  },
});
