import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'backup schedule',
  summary: 'Run backup create, then prune, on the cron expression BACKUP_SCHEDULE, until SIGTERM.',
  usage: 'slipway backup schedule',
  description:
    'For a `backup` service: logs one JSON line per run on stdout; prunes with BACKUP_KEEP_DAILY, _WEEKLY and\n' +
    '_MONTHLY. On PostgreSQL an advisory lock per slot makes any number of schedulers take one backup per slot.\n' +
    'SIGTERM or SIGINT stops it once the backup under way (if any) is done.',
  async run(ctx) {
    // Loaded when it runs, not with the command list (run-cli.ts loads only the command run).
    const { runSchedule } = await import('../../backup/run-schedule.js');
    const config = ctx.config();
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    try {
      await runSchedule({
        config,
        log: (line) => ctx.out(JSON.stringify({ time: new Date().toISOString(), ...line })),
        signal: controller.signal,
      });
    } finally {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
    }
    return 0;
  },
});
