import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';
import type { Config } from '../config/index.js';

/**
 * The security headers, built once: `apply` sets them on a response (helmet's middleware), and
 * `fixed` is the same set as plain name/value pairs, for answers written before Fastify has a
 * request (a URL the router refuses, a request Node's parser refuses).
 */
export interface SecurityHeaders {
  apply(req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void;
  readonly fixed: Readonly<Record<string, string>>;
}

/**
 * Security headers on every response. The Content-Security-Policy allows scripts, styles and
 * images from this site only (no inline code), no framing, and forms posting only here; the
 * framework's and the admin's pages are written to satisfy it.
 *
 * helmet's middleware is built once, here. (@fastify/helmet rebuilds it, parsing the policy
 * again, on every request: a tenth of a simple page's time under load.)
 */
export function securityHeaders(config: Config): SecurityHeaders {
  const apply = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
    // HSTS only where HTTPS is expected; in DEBUG it would pin a developer's localhost to HTTPS.
    strictTransportSecurity: config.debug ? false : { maxAge: 31_536_000, includeSubDomains: true },
    crossOriginEmbedderPolicy: false,
  });
  const fixed: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      fixed[name] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => {
      delete fixed[name];
    },
  };
  apply({ headers: {} } as IncomingMessage, recorder as unknown as ServerResponse, () => {});
  return { apply, fixed };
}

/** Sets the security headers and `X-Request-Id` on every response that goes through the routes. */
export function installSecurityHeaders(app: FastifyInstance, headers: SecurityHeaders): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    headers.apply(request.raw, reply.raw, (error) => done(error as Error | undefined));
  });
}
