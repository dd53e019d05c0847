import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, HTTPMethods } from 'fastify';
import type { AppContext } from '../apps/define-app.js';
import { PermissionDeniedError } from '../auth/errors.js';
import type { AuthUser } from '../auth/request-user.js';
import { apiUser, installApiAuthentication, installApiErrors } from './authentication.js';
import { apiValidatorCompiler } from './validation.js';

/** Where the API's endpoints live; an app's routes are mounted below it. */
export const API_PREFIX = '/api/v1/';

/** An endpoint added with {@link defineApiRoutes}, as the OpenAPI document describes it. */
export interface DocumentedRoute {
  readonly method: ApiRoute['method'];
  /** The full path, in Fastify's syntax: `/api/v1/contacts/attachment/:id/file/`. */
  readonly path: string;
  /** The permissions of which any one will do; empty: any authenticated user. */
  readonly permissions: readonly string[];
  readonly summary?: string;
  readonly tag: string;
  readonly schema?: FastifySchema;
}

/**
 * The endpoints the apps added with {@link defineApiRoutes}, in the order they were added: one
 * list per server, provided on the app context by the api app, read by `/api/openapi.json` once
 * every app's routes are registered.
 */
export interface ApiRouteList {
  readonly routes: DocumentedRoute[];
}

declare module '../apps/define-app.js' {
  interface AppContext {
    /** The endpoints added with defineApiRoutes (the api app provides the list). */
    readonly apiRoutes?: ApiRouteList;
  }
}

/** One endpoint an app adds to the API. */
export interface ApiRoute<Params = Record<string, string>, Body = unknown, Query = unknown> {
  readonly method: Extract<HTTPMethods, 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'>;
  /** The path below `/api/v1/`, in Fastify's syntax: `contacts/attachment/:id/file/`. */
  readonly path: string;
  /**
   * The permission the user needs (`contacts.view_attachment`), or a list of which any one will
   * do; checked before the body is validated. None: any authenticated user.
   */
  readonly permission?: string | readonly string[];
  /** The message of the 403 when the permission is missing. */
  readonly deniedMessage?: string;
  /** One line for the OpenAPI document (default: the method and path). */
  readonly summary?: string;
  /** The OpenAPI tag it is listed under (default: "<app label>: more endpoints", by the path's first part). */
  readonly tag?: string;
  /** JSON Schemas of `body`, `querystring`, `params`: failures are the API's 422 (body) or 400. */
  readonly schema?: FastifySchema;
  /** The endpoint; `user` is the authenticated user. Throw a SlipwayError for a problem response. */
  readonly handler: (
    request: FastifyRequest<{ Params: Params; Body: Body; Querystring: Query }>,
    reply: FastifyReply,
    user: AuthUser,
  ) => unknown;
}

/** What `defineApiRoutes` hands to the app: `route()` adds one endpoint. */
export interface ApiRoutes {
  route<Params = Record<string, string>, Body = unknown, Query = unknown>(
    route: ApiRoute<Params, Body, Query>,
  ): void;
}

/**
 * Adds an app's own endpoints to the REST API, behind what guards the generated ones:
 * 1. authentication: `Authorization: Token <key>` (or `Bearer`), or the session cookie with
 *    `X-CSRF-Token` on unsafe methods; nobody is a 401 with `WWW-Authenticate`;
 * 2. the route's permission (any one of a list), else 403;
 * 3. the route's JSON Schemas, with the API's validator: every problem listed, no coercion;
 * 4. errors as the API's problem documents (`application/problem+json`, docs/errors.md): a
 *    SlipwayError thrown by the handler is answered with its status and code;
 * 5. listed in `/api/openapi.json` and `/api/docs`: path, method, permission, schemas.
 * Call it from the app's `routes` hook; the paths are below `/api/v1/`.
 *
 * @example
 *   routes: (app, ctx) =>
 *     defineApiRoutes(app, ctx, (api) => {
 *       api.route<{ id: string }>({
 *         method: 'GET',
 *         path: 'contacts/attachment/:id/file/',
 *         permission: ['contacts.view_attachment', 'contacts.change_attachment'],
 *         handler: (request, reply, user) => sendFile(reply, request.params.id),
 *       });
 *     }),
 */
export async function defineApiRoutes(
  app: FastifyInstance,
  ctx: AppContext,
  register: (api: ApiRoutes) => void,
): Promise<void> {
  await app.register(async (scope) => {
    scope.setValidatorCompiler(apiValidatorCompiler());
    installApiErrors(scope);
    // Bodies are JSON (or a form): a text/plain body is refused with 415, not parsed as a string.
    scope.removeContentTypeParser('text/plain');
    installApiAuthentication(scope, ctx.database.db);
    register({
      route(route) {
        const needed = typeof route.permission === 'string' ? [route.permission] : (route.permission ?? []);
        const url = `${API_PREFIX}${route.path.replace(/^\/+/, '')}`;
        ctx.apiRoutes?.routes.push({
          method: route.method,
          path: url,
          permissions: needed,
          tag: route.tag ?? defaultTag(ctx, route.path),
          ...(route.summary ? { summary: route.summary } : {}),
          ...(route.schema ? { schema: route.schema } : {}),
        });
        scope.route({
          method: route.method,
          url,
          ...(route.schema ? { schema: route.schema } : {}),
          // The API's authentication decides on CSRF (only a session-authenticated request needs it).
          config: { csrf: false },
          preValidation: async (request) => {
            const user = apiUser(request);
            if (needed.length > 0 && !needed.some((perm) => user.hasPerm(perm)))
              throw new PermissionDeniedError(route.deniedMessage);
          },
          handler: (request, reply) => route.handler(request as never, reply, apiUser(request)),
        });
      },
    });
  });
}

/** "Contacts: more endpoints" for `contacts/…`: the app named by the path's first part. */
function defaultTag(ctx: AppContext, path: string): string {
  const first = path.replace(/^\/+/, '').split('/')[0] ?? '';
  const app = ctx.registry.apps.find((a) => a.name === first);
  return `${app?.label ?? (first || 'API')}: more endpoints`;
}
