import type { FastifyInstance } from 'fastify';
import { INT_RANGE } from '../db/column-values.js';
import type { AppDb } from '../db/database.js';
import type { HistorySink } from '../models/history.js';
import { requirePerm } from '../models/permissions.js';
import { apiUser } from './authentication.js';
import { ApiValidationError } from './errors.js';
import { issueToken } from './issue-token.js';
import type { CustomCreate } from './openapi.js';
import type { ApiResource } from './resource.js';
import { serializeRows } from './serialize.js';

/** The body of `POST /api/v1/api/token/`: a name, and (superusers only) whose token it is. */
export const TOKEN_CREATE_SCHEMA = {
  type: 'object',
  title: 'Token',
  properties: {
    name: { type: 'string', maxLength: 100, title: 'Name' },
    userId: {
      type: 'integer',
      minimum: 1,
      maximum: INT_RANGE['PgSerial']![1],
      title: 'User',
      description: 'Another user (superusers only); yourself by default.',
    },
  },
  additionalProperties: false,
};

/** How the OpenAPI document describes the token endpoint's POST. */
export const TOKEN_CREATE: CustomCreate = {
  body: TOKEN_CREATE_SCHEMA,
  extra: { key: { type: 'string', description: 'The key, shown this once: only its SHA-256 is stored.' } },
  description:
    'Issues a token for yourself (or, for superusers, for `userId`) and answers with its `key`, the only time it is shown.',
};

/**
 * `POST /api/v1/api/token/` issues a token (needs `api.add_token`) and answers 201 with the
 * token and, this once, its `key`. It replaces the generic create: the key is generated here and
 * only its hash stored. Listing, renaming and deleting stay generic.
 */
export function registerTokenCreateRoute(
  app: FastifyInstance,
  resource: ApiResource,
  db: AppDb,
  history: HistorySink,
): void {
  app.post(
    resource.path,
    {
      schema: { body: TOKEN_CREATE_SCHEMA },
      config: { csrf: false },
      preValidation: async (request) => requirePerm(apiUser(request), resource.reg, 'add'),
    },
    async (request, reply) => {
      const user = apiUser(request);
      const body = request.body as { name?: string; userId?: number };
      const result = await issueToken({ db, history }, user, {
        userId: body.userId ?? user.id,
        name: body.name ?? '',
      });
      if (!result.ok)
        throw new ApiValidationError(
          Object.entries(result.errors).flatMap(([field, messages]) =>
            messages.map((message) => ({ field, message })),
          ),
        );
      const [shown] = await serializeRows(db, resource, user, [result.row]);
      reply
        .code(201)
        .header('location', `${resource.path}${result.row.id}/`)
        .header('cache-control', 'no-store');
      return { ...shown, key: result.key };
    },
  );
}
