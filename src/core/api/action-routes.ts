import type { FastifyInstance } from 'fastify';
import { PermissionDeniedError } from '../auth/errors.js';
import type { AppDb } from '../db/database.js';
import type { SlipwayError } from '../errors.js';
import { loadObjects, parsePk } from '../models/objects.js';
import { hasObjectPerm, requirePerm } from '../models/permissions.js';
import { runAction } from '../models/run-action.js';
import { apiUser } from './authentication.js';
import { ApiActionError, ApiValidationError, isApiProblem } from './errors.js';
import type { JsonSchema } from './json-schema.js';
import type { ApiResource } from './resource.js';
import { serializeRows } from './serialize.js';

/**
 * A typed error thrown by an action's `run`, as the API's problem: a 409 is the action's refusal
 * ({@link ApiActionError}, as when `run` returns one), a 422 a validation problem about the call,
 * keeping the fields the error named; an API problem already, or another status (403, 404),
 * stays as it is.
 */
function apiError(error: SlipwayError): SlipwayError {
  if (isApiProblem(error)) return error;
  if (error.status === 409) return new ApiActionError('error', error.message);
  if (error.status === 422)
    return new ApiValidationError(
      error.errors.length > 0 ? error.errors : [{ field: null, message: error.message }],
    );
  return error;
}

/** At most this many objects per action call. */
const MAX_IDS = 1000;

/** The body of an action call: the ids of the objects to run it on. */
export function actionBodySchema(resource: ApiResource): JsonSchema {
  const pk = resource.reg.pk;
  return {
    type: 'object',
    properties: {
      ids: {
        type: 'array',
        minItems: 1,
        maxItems: MAX_IDS,
        items: pk.kind === 'integer' ? { type: 'integer', minimum: 1 } : { type: 'string', maxLength: 1000 },
        description: 'The objects to run the action on.',
      },
    },
    required: ['ids'],
    additionalProperties: false,
  };
}

/**
 * `POST <path>actions/<name>/` for each of the registration's bulk actions (contacts' "Make
 * primary"), as the admin's changelist runs them: the action's model permission, then the object
 * permission on every selected object, then the action's own `run` with the objects. Answers 200
 * with the action's message and the objects as they are afterwards when it succeeded; 409
 * ({@link ApiActionError}) with its message when it refused (`level: 'error'`) or did only part
 * of the work (`level: 'warning'`, with the objects as they are now). A typed error `run` threw
 * is its problem: 409 as a refusal, 422 as a validation problem, or its own status.
 */
export function registerActionRoutes(app: FastifyInstance, db: AppDb, resource: ApiResource): void {
  const { reg } = resource;
  for (const action of resource.actions) {
    const run = reg.options.actions!.find((a) => a.name === action.name)!;
    app.post(
      action.path,
      {
        schema: { body: actionBodySchema(resource) },
        config: { csrf: false },
        preValidation: async (request) => requirePerm(apiUser(request), reg, action.permission),
      },
      async (request) => {
        const user = apiUser(request);
        const ids = (request.body as { ids: (string | number)[] }).ids.map(String);
        const pks = ids.map((raw) => parsePk(reg.pk, raw));
        const rows = await loadObjects(
          db,
          reg,
          user,
          pks.filter((pk) => pk !== undefined) as (string | number)[],
        );
        const found = new Set(rows.map((r) => String(r[reg.pk.key])));
        const missing = ids.flatMap((id, i) =>
          found.has(id)
            ? []
            : [{ field: `ids[${i}]`, message: `There is no ${reg.label.toLowerCase()} with this id.` }],
        );
        if (missing.length > 0) throw new ApiValidationError(missing);
        if (rows.some((row) => !hasObjectPerm(user, reg, action.permission, row)))
          throw new PermissionDeniedError(
            `You may not ${action.permission} some of the selected ${reg.labelPlural.toLowerCase()}.`,
          );
        const result = await runAction({ db, user }, reg, run, rows);
        if (result.error) throw apiError(result.error);
        if (result.level === 'error') throw new ApiActionError('error', result.message);
        const after = await loadObjects(
          db,
          reg,
          user,
          [...found].map((id) => parsePk(reg.pk, id)!),
        );
        const order = new Map(ids.map((id, i) => [id, i]));
        after.sort(
          (a, b) => (order.get(String(a[reg.pk.key])) ?? 0) - (order.get(String(b[reg.pk.key])) ?? 0),
        );
        const results = await serializeRows(db, resource, user, after);
        if (result.level === 'warning') throw new ApiActionError('warning', result.message, results);
        return { message: result.message, results };
      },
    );
  }
}
