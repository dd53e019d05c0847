import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { createAppContext } from '../apps/context.js';
import type { AppContext } from '../apps/define-app.js';
import type { AppRegistry } from '../apps/registry.js';
import type { MigrationFile } from '../db/migrate/files.js';
import { installAcceptQueueDrain } from './accept-queue.js';
import { enforceAllowedHosts } from './allowed-hosts.js';
import { clientErrorHandler, frameworkErrorHandler } from './client-errors.js';
import { installDatabaseQueue } from './database-queue.js';
import { installDevelopmentRequestLog } from './development-request-log.js';
import { installErrorHandlers } from './error-handler.js';
import { type Lifecycle, registerHealthRoutes } from './health.js';
import { registerMetrics } from './metrics-route.js';
import { sendProblem } from './problem.js';
import { installReadYourWrites, replicaMaxLag } from './read-your-writes.js';
import { installSecurityHeaders, securityHeaders } from './security.js';
import { registerFaviconFallback, registerWelcomePage } from './welcome.js';

export interface ServerDeps extends AppContext {
  registry: AppRegistry;
  migrations: readonly MigrationFile[];
  lifecycle: Lifecycle;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Builds the Fastify instance: request ids, structured logs, host check, security headers,
 * error pages (for the router's and Node's parser's refusals too), health routes and every
 * installed app's routes. Does not listen.
 */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const headers = securityHeaders(config);
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // Development logs one readable line per request instead (installDevelopmentRequestLog).
    ...(config.debug && { logController: new LogController({ disableRequestLogging: true }) }),
    // A proxy's X-Request-Id is kept when it looks like an id, so one id follows a request end to end.
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    // Longer than any proxy's idle timeout (Traefik: 90 s), so the proxy never reuses a connection we just closed.
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    connectionTimeout: 0,
    requestTimeout: 120_000,
    // Requests that arrive while the server closes get the app's 503 (below), not Fastify's.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    bodyLimit: 1024 * 1024,
    // The router's and Node's own refusals are answered as the app's errors (problem+json,
    // security headers, request id), not as Fastify's bare JSON.
    frameworkErrors: frameworkErrorHandler(headers),
    clientErrorHandler: clientErrorHandler(headers, deps.log),
    // X-Forwarded-For/-Proto are believed only from these proxies (request.ip, request.protocol).
    trustProxy: config.http.trustedProxies.length > 0 ? [...config.http.trustedProxies] : false,
  });

  installSecurityHeaders(app, headers);
  if (config.debug) installDevelopmentRequestLog(app);
  app.addHook('onRequest', async (request, reply) => {
    if (!deps.lifecycle.closing) return;
    reply.header('connection', 'close').header('retry-after', '1');
    return sendProblem(request, reply, {
      title: 'Service Unavailable',
      status: 503,
      detail: 'The server is shutting down. Send the request again.',
    });
  });
  installAcceptQueueDrain(app);
  enforceAllowedHosts(app, config.allowedHosts);
  if (deps.database.engine === 'pglite') installDatabaseQueue(app);
  installErrorHandlers(app, config.debug);
  await app.register(fastifyCookie);
  if (deps.database.replicas)
    installReadYourWrites(app, deps.database.replicas, replicaMaxLag(deps.config.database));
  await app.register(fastifyFormbody);
  registerMetrics(app, deps);
  registerHealthRoutes(app, deps);
  await app.register(fastifyStatic, {
    root: join(import.meta.dirname, 'static'),
    prefix: '/static/core/',
    decorateReply: false,
  });

  for (const manifest of deps.registry.apps) {
    if (manifest.staticDir)
      await app.register(fastifyStatic, {
        root: manifest.staticDir,
        prefix: `/static/${manifest.name}/`,
        decorateReply: false,
      });
  }
  // What the apps provide (the admin index) is built once, here, and handed to every app.
  const ctx = createAppContext(deps);
  for (const manifest of deps.registry.apps) await manifest.setup?.(app, ctx);
  for (const manifest of deps.registry.apps) {
    if (manifest.routes) await app.register(async (scope) => manifest.routes!(scope, ctx));
  }
  await app.after();
  registerWelcomePage(app, deps);
  registerFaviconFallback(app);
  return app;
}
