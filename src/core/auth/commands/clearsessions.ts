import { defineCommand } from '../../cli/command.js';
import { purgeExpiredSessions } from '../sessions.js';

export default defineCommand({
  name: 'clearsessions',
  writes: true,
  summary: 'Delete expired sessions (run it from cron or a scheduled job).',
  usage: 'slipway clearsessions',
  async run(ctx) {
    const database = await ctx.database();
    const deleted = await purgeExpiredSessions(database.db);
    ctx.out(`Deleted ${deleted} expired session(s).`);
    return 0;
  },
});
