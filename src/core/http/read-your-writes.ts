import type { FastifyInstance } from 'fastify';
import type { DatabaseConfig } from '../config/index.js';
import type { ReplicaRouter } from '../db/replicas.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The primary's WAL position after this client's last write (the `slipway_lsn` cookie). */
    lsnToken?: string;
  }
}

/** The cookie that carries a client's last write position. */
export const LSN_COOKIE = 'slipway_lsn';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Read your own writes with replicas: after a request that may have written (any method but
 * GET/HEAD/OPTIONS, answered below 500), the primary's `pg_current_wal_lsn()` goes into a short
 * cookie; the next requests carry it as `request.lsnToken`, and {@link staleReadDb} uses a
 * replica only once it has replayed that far, the primary until then. The cookie outlives
 * REPLICA_MAX_LAG by far: a replica further behind than that is out of the rotation anyway.
 */
export function installReadYourWrites(app: FastifyInstance, replicas: ReplicaRouter, maxLagMs: number): void {
  const maxAgeSeconds = Math.max(60, Math.ceil((maxLagMs * 10) / 1000));
  app.addHook('preHandler', async (request) => {
    const token = request.cookies[LSN_COOKIE];
    if (token && /^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/i.test(token)) request.lsnToken = token;
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (SAFE.has(request.method) || reply.statusCode >= 500) return payload;
    try {
      const lsn = await replicas.primaryLsn();
      reply.header(
        'set-cookie',
        `${LSN_COOKIE}=${lsn}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax`,
      );
    } catch {
      // The primary is gone: whatever was written, the client reads from the primary's successor.
    }
    return payload;
  });
}

/** REPLICA_MAX_LAG of a database configuration (5 s when it has none). */
export const replicaMaxLag = (database: DatabaseConfig) =>
  (database.engine === 'postgres' && database.replicaMaxLagMs) || 5000;
