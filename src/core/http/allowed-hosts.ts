import type { FastifyInstance } from 'fastify';
import { sendProblem } from './problem.js';

/**
 * Whether `host` (from the Host header, port stripped) matches ALLOWED_HOSTS. Entries are exact
 * names, `.example.com` for the domain and its subdomains, or `*` for any.
 */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  return allowed.some((pattern) => {
    const p = pattern.toLowerCase();
    if (p === '*') return true;
    if (p.startsWith('.')) return name === p.slice(1) || name.endsWith(p);
    return name === p;
  });
}

/** Paths that probes call by IP address; they reveal nothing and skip the host check. */
const PROBES = new Set(['/livez', '/readyz']);

/** Answers 400 to requests for a host not in ALLOWED_HOSTS, as Django does (DNS rebinding, cache poisoning). */
export function enforceAllowedHosts(app: FastifyInstance, allowed: readonly string[]): void {
  app.addHook('onRequest', async (request, reply) => {
    if (PROBES.has(request.url.split('?')[0]!)) return;
    const host = request.headers.host ?? '';
    if (hostAllowed(host, allowed)) return;
    request.log.warn({ host }, 'request for a host not in ALLOWED_HOSTS');
    return sendProblem(request, reply, {
      title: 'Bad Request',
      status: 400,
      detail: `Invalid Host header "${host}". Add it to ALLOWED_HOSTS if this site should answer to it.`,
    });
  });
}
