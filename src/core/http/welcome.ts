import type { FastifyInstance } from 'fastify';
import type { AppRegistry } from '../apps/registry.js';
import type { Database } from '../db/database.js';
import { welcomePage } from './welcome-page.js';

/**
 * The page at `/` until an app claims it: proof for a newcomer that the stack runs, with the
 * installed apps and where the health endpoints are.
 */
export function registerWelcomePage(
  app: FastifyInstance,
  deps: { registry: AppRegistry; database: Database },
): void {
  if (app.hasRoute({ method: 'GET', url: '/' })) return;
  // An app whose name is also the path of a page (`/polls/`) is linked to it.
  const home = (name: string) => (app.hasRoute({ method: 'GET', url: `/${name}/` }) ? `/${name}/` : null);
  const places = [
    { href: '/admin/', label: 'Admin', what: 'manage the data (sign in as a staff user)' },
    { href: '/api/docs', label: 'API docs', what: 'the REST API, with a form to try each endpoint' },
  ].filter((p) => app.hasRoute({ method: 'GET', url: p.href }));
  const body = welcomePage({
    engine: deps.database.engine === 'pglite' ? 'PGlite' : 'PostgreSQL',
    apps: deps.registry.apps.map((a) => ({ name: a.name, label: a.label, href: home(a.name) ?? undefined })),
    places,
  });
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(body));
}

/**
 * `/favicon.ico`, unless an app serves one: browsers ask for it on every first page, and an
 * empty answer they may cache beats a 404 in the logs.
 */
export function registerFaviconFallback(app: FastifyInstance): void {
  if (app.hasRoute({ method: 'GET', url: '/favicon.ico' })) return;
  app.get('/favicon.ico', async (_request, reply) =>
    reply.code(204).header('cache-control', 'public, max-age=86400').send(),
  );
}
