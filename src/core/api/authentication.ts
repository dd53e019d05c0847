import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { checkCsrf } from '../auth/plugin.js';
import type { AuthUser } from '../auth/request-user.js';
import type { AppDb } from '../db/database.js';
import { ApiAuthenticationError, ApiQueryError, ApiValidationError } from './errors.js';
import { authenticateKey } from './tokens.js';
import { fieldErrors } from './validation.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The id of the API token the request was authenticated with, or null (session or anonymous). */
    apiTokenId: number | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const AUTHORIZATION = /^(?:Token|Bearer)\s+(\S+)\s*$/i;

/** The challenge sent with every 401: both header forms are accepted. */
export const WWW_AUTHENTICATE = 'Token realm="api", Bearer realm="api"';

/**
 * Authenticates every request of the scope (the API's model endpoints), before the body is read:
 * 1. `Authorization: Token <key>` (or `Bearer <key>`): the key must belong to an active user,
 *    else 401 — a session cookie sent alongside does not rescue a bad key. CSRF does not apply:
 *    a browser never adds this header by itself.
 * 2. Otherwise the session cookie's user (the auth plugin loaded it, active users only); unsafe
 *    methods must then pass the same CSRF check as forms (the `X-CSRF-Token` header).
 * 3. Nobody: 401 with `WWW-Authenticate`.
 * The routes set `csrf: false` so the auth plugin leaves the CSRF decision to step 2.
 */
export function installApiAuthentication(scope: FastifyInstance, db: AppDb): void {
  scope.decorateRequest('apiTokenId', null);
  scope.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (header !== undefined && /^(?:Token|Bearer)\b/i.test(header)) {
      const key = AUTHORIZATION.exec(header)?.[1];
      const found = key === undefined ? undefined : await authenticateKey(db, key);
      if (!found) throw new ApiAuthenticationError('The token is invalid, or its user is inactive.');
      request.user = found.user;
      request.apiTokenId = found.tokenId;
      return;
    }
    if (!request.user)
      throw new ApiAuthenticationError(
        'Authentication credentials were not provided: send "Authorization: Token <key>", or sign in and send X-CSRF-Token with unsafe requests.',
      );
    if (!SAFE_METHODS.has(request.method)) checkCsrf(request);
  });
}

/** The authenticated user (the scope's hook has run). */
export function apiUser(request: FastifyRequest): AuthUser {
  if (!request.user) throw new ApiAuthenticationError('Authentication credentials were not provided.');
  return request.user;
}

/**
 * The API's error handler, in front of the server's: schema validation failures become 422
 * (body) or 400 (query string, path) problem documents listing every field, and a 401 gets its
 * `WWW-Authenticate` header. Everything else goes on to the server's handler unchanged.
 */
export function installApiErrors(scope: FastifyInstance): void {
  scope.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error.validation) {
      const errors = fieldErrors(error.validation as never);
      throw error.validationContext === 'body' ? new ApiValidationError(errors) : new ApiQueryError(errors);
    }
    if (error instanceof ApiAuthenticationError) reply.header('www-authenticate', WWW_AUTHENTICATE);
    throw error;
  });
}
