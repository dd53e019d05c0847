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

function hostHeaderCount(raw: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') n++;
  return n;
}

/**
 * Paths that probes call by IP address; they reveal nothing and skip the host check. /metrics is
 * scraped by address too, and answers only its bearer token.
 */
const PROBES = new Set(['/livez', '/readyz', '/metrics']);

/**
 * Answers 400 to requests for a host not in ALLOWED_HOSTS, as Django does (DNS rebinding, cache
 * poisoning), and to requests with two Host headers.
 */
export function enforceAllowedHosts(app: FastifyInstance, allowed: readonly string[]): void {
  app.addHook('onRequest', async (request, reply) => {
    // RFC 9112 §3.2: a request with more than one Host header is refused (Node keeps the first).
    if (hostHeaderCount(request.raw.rawHeaders) > 1) {
      request.log.warn('request with more than one Host header');
      reply.header('connection', 'close');
      return sendProblem(request, reply, {
        title: 'Bad Request',
        status: 400,
        detail: 'The request has more than one Host header.',
      });
    }
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
