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
  const body = html`
<h1>Slipway is running</h1>
<p>Database: ${deps.database.engine === 'pglite' ? 'embedded PGlite' : 'PostgreSQL'}.</p>
<h2>Installed apps</h2>
<ul>${deps.registry.apps.map((a) => html`<li>${a.label} <span class="muted">(${a.name})</span></li>`)}</ul>
<h2>Health</h2>
<ul><li><a href="/livez">/livez</a>: the process answers</li><li><a href="/readyz">/readyz</a>: the database answers and no migration is pending</li></ul>
<p class="muted">Replace this page by registering <code>GET /</code> in an app's routes.</p>`;
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page('Slipway', body)));
}
