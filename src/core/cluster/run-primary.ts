import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import { serveClusterMetrics } from '../metrics/metrics.js';
import { READY_MESSAGE, STOP_MESSAGE } from './workers.js';

/** A worker that crashes sooner than this after it started is restarted only after a pause. */
const QUICK_CRASH_MS = 5000;
/** The pause before restarting a worker that crashed quickly, so a crash loop does not spin. */
const RESTART_PAUSE_MS = 1000;
/** How long past SHUTDOWN_TIMEOUT the primary waits for its workers before killing them. */
const STOP_MARGIN_MS = 2000;

/**
 * The primary of `slipway serve --workers N` (gunicorn's arbiter, on `node:cluster`). It never
 * opens the database or a listener of its own: each worker runs the whole `serve` (its own pool,
 * waiting for the database, migrating under the advisory lock, listening on the shared port, to
 * which the primary hands connections round-robin).
 *
 * 1. forks N workers; each one says when it listens;
 * 2. a worker that exits before it ever listened is a failed boot (bad configuration, database
 *    never reachable): the primary stops the others and exits 1 rather than loop;
 * 3. a worker that dies after it listened is replaced (after a pause if it lived under 5 s);
 * 4. a worker asked for /metrics gets the sum over every worker from it (prom-client's
 *    AggregatorRegistry);
 * 5. on SIGTERM or SIGINT it asks every worker to stop as `serve` does (readiness 503,
 *    SHUTDOWN_DELAY, drain), waits up to SHUTDOWN_TIMEOUT plus 2 s, SIGKILLs any left, and
 *    resolves 0 when all exited 0, else 1. A second signal kills the workers and exits 1.
 */
export function runPrimary(workers: number, config: Config, log: Logger): Promise<number> {
  return new Promise<number>((resolve) => {
    const startedAt = new Map<Worker, number>();
    const ready = new Set<Worker>();
    let stopping = false;
    let failed = false;

    const finish = () => {
      if (Object.keys(cluster.workers ?? {}).length > 0) return;
      log.info({ failed }, failed ? 'all workers stopped, not all cleanly' : 'all workers stopped');
      resolve(failed ? 1 : 0);
    };

    const fork = () => {
      const worker = cluster.fork();
      startedAt.set(worker, Date.now());
      worker.on('message', (message) => {
        if (message !== READY_MESSAGE) return;
        ready.add(worker);
        if (ready.size === workers) log.info({ workers }, `all ${workers} workers listening`);
      });
    };

    const stopAll = (reason: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ reason }, 'stopping the workers gracefully');
      for (const worker of Object.values(cluster.workers ?? {})) {
        if (!worker) continue;
        // A listening worker stops through serve's graceful path; one still starting (waiting
        // for the database, migrating) has no such path yet and exits on SIGTERM.
        if (ready.has(worker) && worker.isConnected()) worker.send(STOP_MESSAGE);
        else worker.process.kill('SIGTERM');
      }
      const deadline = setTimeout(() => {
        log.error('workers still running after SHUTDOWN_TIMEOUT: killing them');
        failed = true;
        for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      }, config.shutdown.timeoutMs + STOP_MARGIN_MS);
      deadline.unref();
    };

    cluster.on('exit', (worker, code, signal) => {
      const lived = Date.now() - (startedAt.get(worker) ?? 0);
      const wasReady = ready.delete(worker);
      startedAt.delete(worker);
      if (stopping) {
        if (code !== 0) failed = true;
        finish();
        return;
      }
      if (!wasReady) {
        log.error({ pid: worker.process.pid, code, signal }, 'a worker exited before it listened: stopping');
        failed = true;
        stopAll('failed boot');
        finish();
        return;
      }
      log.warn({ pid: worker.process.pid, code, signal, livedMs: lived }, 'a worker died: starting another');
      if (lived < QUICK_CRASH_MS) setTimeout(() => stopping || fork(), RESTART_PAUSE_MS);
      else fork();
    });

    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn({ signal }, 'second signal: killing the workers');
        for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
        process.exit(1);
      }
      stopAll(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);

    serveClusterMetrics();
    log.info({ workers, pid: process.pid }, `starting ${workers} workers`);
    for (let i = 0; i < workers; i++) fork();
  });
}
