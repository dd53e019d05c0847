import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { AggregatorRegistry, Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../db/database.js';
import { projectRoot } from '../paths.js';

/** The IPC messages of a worker asking its primary for the whole cluster's metrics. */
const ASK = 'slipway:metrics';
const ANSWER = 'slipway:metrics-answer';

/**
 * One server process's Prometheus metrics (prom-client):
 * - `http_request_duration_seconds` (histogram) and `http_requests_total` by method, route
 *   (the route's pattern, `unmatched` for a 404, never the raw URL) and status;
 * - `http_requests_in_flight`;
 * - `db_pool_connections{state="total|idle|waiting"}` (PostgreSQL's pool) and
 *   `db_errors_total` (requests that ended in a 5xx with a database error);
 * - `slipway_build_info{version,node}` and prom-client's process metrics (CPU, memory, event
 *   loop lag, file descriptors).
 * Under `serve --workers N` each worker keeps its own; `/metrics` answers the sum over the
 * cluster (prom-client's AggregatorRegistry in the primary), so a scrape is complete whichever
 * worker takes it.
 */
export interface ServerMetrics {
  readonly registry: Registry;
  startRequest(): (labels: { method: string; route: string; status: number; databaseError: boolean }) => void;
  /** The text to answer a scrape with (the cluster's sum under a primary). */
  scrape(): Promise<{ contentType: string; body: string }>;
}

const version = (() => {
  try {
    return (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version?: string })
      .version;
  } catch {
    return undefined;
  }
})();

export function createServerMetrics(database: Database): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from the request to its response, by route pattern and status.',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const total = new Counter({
    name: 'http_requests_total',
    help: 'Requests answered, by route pattern and status.',
    labelNames,
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: 'http_requests_in_flight',
    help: 'Requests received and not yet answered.',
    registers: [registry],
  });
  const dbErrors = new Counter({
    name: 'db_errors_total',
    help: 'Requests that failed with a database error (5xx).',
    registers: [registry],
  });
  // The pg.Pool behind a PostgreSQL database; PGlite has one connection and no pool.
  const pool = (database as unknown as { pool?: pg.Pool }).pool;
  new Gauge({
    name: 'db_pool_connections',
    help: 'Connections of the PostgreSQL pool: total (open), idle, and waiting (queued clients).',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      if (!pool || typeof pool.totalCount !== 'number') return;
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
  new Gauge({
    name: 'slipway_build_info',
    help: 'Always 1; the labels say which build runs.',
    labelNames: ['version', 'node'],
    aggregator: 'max',
    registers: [registry],
  }).set({ version: version ?? 'unknown', node: process.version }, 1);

  if (cluster.isWorker) {
    // What this worker reports when the primary collects; constructing an AggregatorRegistry is
    // what makes prom-client answer the primary's requests in a worker.
    AggregatorRegistry.setRegistries([registry]);
    new AggregatorRegistry();
  }

  return {
    registry,
    startRequest() {
      inFlight.inc();
      const end = duration.startTimer();
      return ({ method, route, status, databaseError }) => {
        inFlight.dec();
        const labels = { method, route, status: String(status) };
        end(labels);
        total.inc(labels);
        if (databaseError) dbErrors.inc();
      };
    },
    async scrape() {
      if (cluster.isWorker && process.send) {
        return { contentType: registry.contentType, body: await askPrimary() };
      }
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

let asked = 0;
function askPrimary(): Promise<string> {
  const id = ++asked;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      reject(new Error('the primary did not send the cluster metrics within 5 s'));
    }, 5000);
    const onMessage = (message: unknown) => {
      const m = message as { type?: string; id?: number; body?: string; error?: string };
      if (m?.type !== ANSWER || m.id !== id) return;
      clearTimeout(timer);
      process.off('message', onMessage);
      if (m.error !== undefined) reject(new Error(m.error));
      else resolve(m.body ?? '');
    };
    process.on('message', onMessage);
    process.send!({ type: ASK, id });
  });
}

/**
 * In the primary of `serve --workers N`: answers a worker's request for the cluster's metrics
 * with the sum over every worker (prom-client asks each worker over IPC).
 */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: unknown) => {
    const m = message as { type?: string; id?: number };
    if (m?.type !== ASK) return;
    aggregator.clusterMetrics().then(
      (body) => worker.isConnected() && worker.send({ type: ANSWER, id: m.id, body }),
      (error: Error) => worker.isConnected() && worker.send({ type: ANSWER, id: m.id, error: error.message }),
    );
  });
}
