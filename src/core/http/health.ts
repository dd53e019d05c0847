import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import type { MigrationFile } from '../db/migrate/files.js';
import { migrationStatus } from '../db/migrate/runner.js';
import { describeDbError } from '../db/unavailable.js';

export interface Lifecycle {
  /** Set on SIGTERM: /readyz answers 503 so the proxy stops sending new requests. */
  draining: boolean;
  /** Set once the listener closes: requests still arriving on open connections get a 503. */
  closing?: boolean;
}

type Check = { ok: true; [k: string]: unknown } | { ok: false; error: string; [k: string]: unknown };

const PING_TIMEOUT_MS = 2000;

/**
 * `/livez`: 200 whenever the process serves HTTP, with no dependencies (container HEALTHCHECK).
 * `/readyz`: 200 only when not shutting down, the database answers and no migration is pending
 * (load balancer); otherwise 503 with the failing check in the body. With the primary lost but a
 * replica streaming, 200 with `checks.database.mode: 'read-only'`: pages still answer from it.
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  deps: { database: Database; migrations: readonly MigrationFile[]; lifecycle: Lifecycle },
): void {
  const noStore = { 'cache-control': 'no-store' };
  // Probes come every few seconds from every proxy and orchestrator: their requests are not
  // logged (a line per probe would bury the rest); a change of readiness is, once.
  const quiet = { logLevel: 'warn' } as const;
  let wasReady: boolean | undefined;
  app.get('/livez', quiet, async (_request, reply) => reply.headers(noStore).send({ status: 'ok' }));

  app.get('/readyz', quiet, async (_request, reply) => {
    const checks: Record<string, Check> = {};
    if (deps.lifecycle.draining) checks['shutdown'] = { ok: false, error: 'the server is shutting down' };
    try {
      const status = await withTimeout(
        deps.database.withSession((s) => migrationStatus(s, deps.migrations)),
        PING_TIMEOUT_MS,
      );
      checks['database'] = { ok: true };
      checks['migrations'] =
        status.pending.length === 0
          ? { ok: true }
          : { ok: false, error: 'migrations are pending', pending: status.pending.map((f) => f.name) };
    } catch (error) {
      // With a replica in the rotation the site is read-only, not down: reads answer from it and
      // writes 503, so the proxy keeps sending requests (the primary's error is still shown).
      const readOnly = deps.database.replicas?.status().some((r) => r.state === 'streaming');
      checks['database'] = readOnly
        ? { ok: true, mode: 'read-only', error: describeDbError(error) }
        : { ok: false, error: describeDbError(error) };
    }
    // Shown, never failing: with every replica down, reads go to the primary.
    if (deps.database.replicas) checks['replicas'] = { ok: true, replicas: deps.database.replicas.status() };
    const ready = Object.values(checks).every((c) => c.ok);
    if (ready !== wasReady) {
      const failing = Object.fromEntries(Object.entries(checks).filter(([, c]) => !c.ok));
      if (!ready) app.log.warn({ checks: failing }, 'readiness: unavailable');
      else if (wasReady === false) app.log.info('readiness: ok again');
      wasReady = ready;
    }
    return reply
      .code(ready ? 200 : 503)
      .headers(noStore)
      .send({ status: ready ? 'ok' : 'unavailable', checks });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
