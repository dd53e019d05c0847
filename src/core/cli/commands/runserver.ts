import { defineCommand } from '../command.js';
import start from './start.js';

/** Development defaults, used only where neither the environment nor `.env` sets the variable. */
export const DEVELOPMENT_DEFAULTS = { DEBUG: '1', AUTO_MIGRATE: '1', HOST: '127.0.0.1' };

export default defineCommand({
  name: 'runserver',
  summary:
    'Run the server for development: DEBUG=1, AUTO_MIGRATE=1 and HOST=127.0.0.1 unless set (npm start).',
  usage: 'slipway runserver',
  configDefaults: DEVELOPMENT_DEFAULTS,
  needsSecretKey: true,
  run: (ctx, args) => start.run(ctx, args),
});
