import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AdminIndex } from '../admin/site.js';
import type { AppContext } from '../apps/define-app.js';
import { PermissionDeniedError } from '../auth/errors.js';
import type { AuthUser } from '../auth/request-user.js';
import { textProblem } from '../db/column-values.js';
import { type AppDb, staleReadDb } from '../db/database.js';
import { deleteObject } from '../models/delete.js';
import type { HistorySink } from '../models/history.js';
import { loadChangelist } from '../models/list.js';
import type { Model, ModelAction, Row } from '../models/model.js';
import { findObject } from '../models/objects.js';
import { requirePerm } from '../models/permissions.js';
import { apiUser } from './authentication.js';
import { ApiConflictError, ApiNotFoundError, ApiQueryError, type FieldError } from './errors.js';
import { listQuerySchema, MAX_FILE_BASE64, writeSchema } from './json-schema.js';
import type { ApiResource } from './resource.js';
import { serializeRows } from './serialize.js';
import { fieldErrors } from './validation.js';
import { writeObject } from './write-object.js';

/** What the API's model routes read: the app context, the index of registered models and the history. */
export interface ModelRouteDeps {
  readonly ctx: AppContext;
  readonly index: AdminIndex;
  readonly history: HistorySink;
}

/**
 * The object named by `:id`, checked with the model permission (403) and the object-level hook
 * (403); 404 when the id cannot be one, or the object does not exist or is outside the scope.
 */
async function objectFor(
  db: AppDb,
  reg: Model,
  user: AuthUser,
  params: unknown,
  action: ModelAction,
): Promise<{ row: Row; pk: number | string }> {
  const found = await findObject(db, reg, user, (params as { id?: string }).id, action);
  if (found.ok) return found;
  throw found.refusal === 'missing'
    ? new ApiNotFoundError(found.message)
    : new PermissionDeniedError(found.message);
}

/** The list's query parameters, in the model layer's list service. */
const PARAMS = { page: 'page', order: 'ordering', search: 'search' } as const;

function pageLink(request: FastifyRequest, page: number): string {
  const url = new URL(request.url, `${request.protocol}://${request.host}`);
  if (page === 1) url.searchParams.delete('page');
  else url.searchParams.set('page', String(page));
  return url.toString();
}

/** Query parameters the endpoint does not read: each named, with the ones it accepts. */
function unknownParameters(query: URLSearchParams, accepted: readonly string[]): FieldError[] {
  const unknown = [...new Set(query.keys())].filter((k) => !accepted.includes(k));
  const choices = accepted.length > 0 ? `accepted: ${accepted.join(', ')}` : 'this endpoint takes none';
  return unknown.map((k) => ({ field: k, message: `Unknown query parameter; ${choices}.` }));
}

function orderingErrors(resource: ApiResource, raw: string | undefined): FieldError[] {
  if (raw === undefined || raw === '') return [];
  const allowed = resource.orderingKeys;
  return raw.split(',').flatMap((term) => {
    const key = term.startsWith('-') ? term.slice(1) : term;
    if (allowed.includes(key)) return [];
    const choices =
      allowed.length > 0 ? `one of: ${allowed.join(', ')}` : 'nothing: this list has a fixed order';
    return [{ field: 'ordering', message: `Cannot order by "${key}"; choose ${choices}.` }];
  });
}

/**
 * The five endpoints of one resource, each checking the model permission before the body is
 * validated and the object permission once the object is loaded:
 *
 * - `GET    /api/v1/<app>/<model>/`       list: `page`, `page_size`, `search`, `ordering`, filters (view)
 * - `POST   /api/v1/<app>/<model>/`       create, with nested children (add) → 201 (unless `create: false`)
 * - `GET    /api/v1/<app>/<model>/<id>/`  retrieve (view)
 * - `PUT    /api/v1/<app>/<model>/<id>/`  replace; `PATCH` changes only the keys sent (change)
 * - `DELETE /api/v1/<app>/<model>/<id>/`  delete with the cascade, unless protected (delete) → 204
 */
export function registerModelRoutes(
  app: FastifyInstance,
  deps: ModelRouteDeps,
  resource: ApiResource,
  options: { create?: boolean } = {},
): void {
  const { reg, path } = resource;
  const { index } = deps;
  const db = deps.ctx.database.db;
  const needs = (action: 'view' | 'add' | 'change' | 'delete') => async (request: FastifyRequest) =>
    requirePerm(apiUser(request), reg, action);
  // Endpoints other than the list read no query parameter: one sent is a mistake, said at once.
  const noQuery = async (request: FastifyRequest) => {
    const problems = unknownParameters(new URLSearchParams(request.url.split('?')[1] ?? ''), []);
    if (problems.length > 0) throw new ApiQueryError(problems);
  };
  const config = { csrf: false };
  const mediaRoot = deps.ctx.config.mediaRoot;
  // A file travels in base64 inside the JSON: room for the largest file, plus the other fields.
  const bodyLimit = resource.upload ? MAX_FILE_BASE64 + 1024 * 1024 : undefined;
  const limits = bodyLimit ? { bodyLimit } : {};
  const item = `${path}:id/`;

  const serializeOne = async (request: FastifyRequest, row: Row) =>
    (await serializeRows(db, resource, apiUser(request), [row]))[0];

  const querySchema = listQuerySchema(resource);
  const accepted = Object.keys(querySchema['properties'] as object);
  app.get(
    path,
    // Validation problems are collected with the others below, so that all are reported at once.
    { schema: { querystring: querySchema }, attachValidation: true, config, preValidation: needs('view') },
    async (request) => {
      const user = apiUser(request);
      const q = request.query as { page?: number; page_size?: number; ordering?: string; search?: string };
      const query = new URLSearchParams(request.url.split('?')[1] ?? '');
      const invalid = request.validationError?.validation
        ? fieldErrors(request.validationError.validation as never)
        : [];
      const problems = [
        ...unknownParameters(query, accepted),
        ...invalid,
        ...(invalid.some((e) => e.field === 'ordering') ? [] : orderingErrors(resource, q.ordering)),
        ...(typeof q.search === 'string' && textProblem(q.search)
          ? [{ field: 'search', message: textProblem(q.search)! }]
          : []),
      ];
      if (problems.length > 0) throw new ApiQueryError(problems);
      // A list may be a little stale: a replica that has this client's last write, if any.
      const readDb = staleReadDb(deps.ctx.database, request.lsnToken);
      const list = await loadChangelist(readDb, index, reg, user, query, {
        params: PARAMS,
        perPage: q.page_size ?? reg.perPage,
        lean: true,
        sortKeys: resource.orderingKeys,
      });
      if (list.filters.ignored.length > 0)
        throw new ApiQueryError(
          list.filters.ignored.map((p) => ({ field: p, message: 'Enter a valid value.' })),
        );
      const requested = q.page ?? 1;
      // Named as sent: a number past 2^53 would print rounded (99999999999999999999 → 1e20).
      if (requested > list.pages)
        throw new ApiNotFoundError(
          `There is no page ${query.get('page') ?? requested}: the last page is ${list.pages}.`,
        );
      return {
        count: list.total,
        next: list.page < list.pages ? pageLink(request, list.page + 1) : null,
        previous: list.page > 1 ? pageLink(request, list.page - 1) : null,
        results: await serializeRows(readDb, resource, user, list.rows),
      };
    },
  );

  if (options.create !== false)
    app.post(
      path,
      {
        schema: { body: writeSchema(resource, 'create') },
        config,
        preValidation: [needs('add'), noQuery],
        ...limits,
      },
      async (request, reply) => {
        const user = apiUser(request);
        const row = await writeObject(
          { db, index, user, mediaRoot, history: deps.history },
          resource,
          undefined,
          request.body as Record<string, unknown>,
        );
        reply.code(201).header('location', `${path}${encodeURIComponent(String(row[reg.pk.key]))}/`);
        return serializeOne(request, row);
      },
    );

  app.get(item, { config, preValidation: [needs('view'), noQuery] }, async (request) => {
    const readDb = staleReadDb(deps.ctx.database, request.lsnToken);
    const { row } = await objectFor(readDb, reg, apiUser(request), request.params, 'view');
    return (await serializeRows(readDb, resource, apiUser(request), [row]))[0];
  });

  // PUT and PATCH differ only in their schemas: PUT needs every required field, PATCH none.
  const update = async (request: FastifyRequest) => {
    const user = apiUser(request);
    const { row } = await objectFor(db, reg, user, request.params, 'change');
    const saved = await writeObject(
      { db, index, user, mediaRoot, history: deps.history },
      resource,
      row,
      request.body as Record<string, unknown>,
    );
    return serializeOne(request, saved);
  };
  for (const [method, mode] of [
    ['PUT', 'update'],
    ['PATCH', 'patch'],
  ] as const)
    app.route({
      method,
      url: item,
      schema: { body: writeSchema(resource, mode) },
      config,
      ...limits,
      preValidation: [needs('change'), noQuery],
      handler: update,
    });

  app.delete(item, { config, preValidation: [needs('delete'), noQuery] }, async (request, reply) => {
    const user = apiUser(request);
    const { row } = await objectFor(db, reg, user, request.params, 'delete');
    const outcome = await deleteObject({ db, user, index, history: deps.history }, reg, row);
    if (!outcome.ok && outcome.refusal === 'permission')
      throw new PermissionDeniedError(outcome.errors[0]!.message);
    if (!outcome.ok) throw new ApiConflictError(outcome.errors);
    return reply.code(204).send();
  });
}
