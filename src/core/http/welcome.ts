import type { FastifyInstance } from 'fastify';
import type { AppRegistry } from '../apps/registry.js';
import type { Database } from '../db/database.js';
import { html } from '../html/html.js';
import { page } from '../html/page.js';

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
  const body = html`
<h1>Slipway is running</h1>
<p>Database: ${deps.database.engine === 'pglite' ? 'embedded PGlite' : 'PostgreSQL'}.</p>
<h2>Installed apps</h2>
<ul>${deps.registry.apps.map((a) => {
    const href = home(a.name);
    return html`<li>${href ? html`<a href="${href}">${a.label}</a>` : a.label} <span class="muted">(${a.name})</span></li>`;
  })}</ul>
${places.length > 0 ? html`<ul>${places.map((p) => html`<li><a href="${p.href}">${p.label}</a>: ${p.what}</li>`)}</ul>` : ''}
<h2>Health</h2>
<ul><li><a href="/livez">/livez</a>: the process answers</li><li><a href="/readyz">/readyz</a>: the database answers and no migration is pending</li></ul>
<p class="muted">Replace this page by registering <code>GET /</code> in an app's routes.</p>`;
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page('Slipway', body)));
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
