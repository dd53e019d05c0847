import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Config } from '../config/index.js';
import { CommandError } from '../errors.js';

/** The message a worker sends its primary once it listens (see {@link announceReady}). */
export const READY_MESSAGE = 'slipway:ready';
/** The message the primary sends a worker to stop it gracefully, as SIGTERM would. */
export const STOP_MESSAGE = 'slipway:stop';

/**
 * How many worker processes `serve`/`start` run: `--workers` when given, else WEB_CONCURRENCY
 * (`auto` is one per CPU). PGlite is one embedded connection in one process, so an explicit
 * number above 1 is refused there, and `auto` (the image's default) means 1.
 *
 * @example
 *   resolveWorkers('2', config) // 2 on PostgreSQL; throws a CommandError on PGlite
 */
export function resolveWorkers(option: string | undefined, config: Config): number {
  let wanted: number | 'auto' = config.webConcurrency;
  let source = `WEB_CONCURRENCY=${config.webConcurrency}`;
  if (option !== undefined) {
    const n = option.trim().toLowerCase() === 'auto' ? 'auto' : Number(option);
    if (n !== 'auto' && (!Number.isInteger(n) || n < 1 || n > 256))
      throw new CommandError(`--workers expects auto or an integer from 1 to 256, not '${option}'`);
    wanted = n;
    source = `--workers ${option}`;
  }
  if (config.database.engine === 'pglite') {
    if (wanted === 'auto' || wanted === 1) return 1;
    throw new CommandError(
      `${source}: PGlite is one embedded database in one process, so it serves from one worker. ` +
        'Use PostgreSQL (DATABASE_URL) for more than one, or --workers 1.',
    );
  }
  return wanted === 'auto' ? availableParallelism() : wanted;
}

/** True in a process that the primary of `serve --workers N` forked. */
export const isClusterWorker = () => cluster.isWorker;

/**
 * In a cluster worker: 1. tells the primary it listens, so a later exit counts as a crash to
 * restart rather than a failed boot; 2. turns the primary's stop message into the SIGTERM path
 * of `runUntilSignal`, unless a signal (Ctrl-C reaches the whole process group) came first.
 */
export function announceReady(): void {
  if (!cluster.isWorker || !process.send) return;
  let signalled = false;
  const noteSignal = () => {
    signalled = true;
  };
  process.once('SIGTERM', noteSignal);
  process.once('SIGINT', noteSignal);
  process.on('message', (message) => {
    if (message === STOP_MESSAGE && !signalled) {
      signalled = true;
      process.emit('SIGTERM', 'SIGTERM');
    }
  });
  process.send(READY_MESSAGE);
}
