import { withArticle } from '../text.js';
import { actionBodySchema } from './action-routes.js';
import type { DocumentedRoute } from './define-api-routes.js';
import { type JsonSchema, listQuerySchema, readSchema, writeSchema } from './json-schema.js';
import type { ApiResource } from './resource.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const problem = (description: string, name = 'Problem') => ({
  description,
  content: { 'application/problem+json': { schema: ref(name) } },
});

const PROBLEMS = {
  unauthenticated: problem('No credentials, or a token that does not work (see WWW-Authenticate).'),
  forbidden: problem('Missing permission, or a session request without its CSRF header.'),
  notFound: problem('No such object, or one outside what the user may see.'),
  invalid: problem('The body is invalid: every problem is listed by field.', 'ValidationProblem'),
  conflict: problem(
    'The database refused the change because of other rows, or it kept colliding with a concurrent change (nothing was written; send it again).',
    'ValidationProblem',
  ),
  query: problem('Query parameters that cannot be used.', 'ValidationProblem'),
  action: problem(
    'The action refused the selection (`level` "error": nothing was changed) or did only part of it (`level` "warning", with `results`); `detail` is its message.',
    'ValidationProblem',
  ),
};

const PROBLEM_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'An RFC 9457 problem document.',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string' },
    requestId: { type: 'string' },
  },
  required: ['type', 'title', 'status'],
};

const VALIDATION_PROBLEM: JsonSchema = {
  allOf: [
    ref('Problem'),
    {
      type: 'object',
      properties: {
        errors: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              field: {
                type: ['string', 'null'],
                description:
                  'A path into the request (`choices[1].choiceText`), or null for the whole object.',
              },
              message: { type: 'string' },
            },
            required: ['field', 'message'],
          },
        },
      },
      required: ['errors'],
    },
  ],
};

function queryParameters(resource: ApiResource) {
  const schema = listQuerySchema(resource);
  return Object.entries(schema['properties'] as Record<string, JsonSchema>).map(([name, s]) => {
    const { description, ...rest } = s;
    return { name, in: 'query', required: false, description, schema: rest };
  });
}

/** An endpoint whose POST is not the generic create (tokens): its body, and what the 201 adds. */
export interface CustomCreate {
  readonly body: JsonSchema;
  readonly extra: Record<string, JsonSchema>;
  readonly description: string;
}

function operations(
  resource: ApiResource,
  paths: Record<string, unknown>,
  schemas: Record<string, unknown>,
  custom: CustomCreate | undefined,
) {
  const { reg } = resource;
  const name = resource.schemaName;
  const tag = `${reg.appLabel}: ${reg.labelPlural}`;
  const id = `${reg.app}_${reg.model}`;
  const plural = reg.labelPlural.toLowerCase();
  const single = reg.label.toLowerCase();
  const aSingle = withArticle(single);
  schemas[name] = readSchema(resource);
  schemas[`${name}Create`] = custom?.body ?? writeSchema(resource, 'create');
  if (custom)
    schemas[`${name}Created`] = {
      allOf: [ref(name), { type: 'object', properties: custom.extra, required: Object.keys(custom.extra) }],
    };
  schemas[`${name}Update`] = writeSchema(resource, 'update');
  schemas[`${name}Patch`] = writeSchema(resource, 'patch');
  schemas[`${name}Page`] = {
    type: 'object',
    properties: {
      count: { type: 'integer', description: 'Rows matching the search and filters, on every page.' },
      next: { type: ['string', 'null'], format: 'uri' },
      previous: { type: ['string', 'null'], format: 'uri' },
      results: { type: 'array', items: ref(name) },
    },
    required: ['count', 'next', 'previous', 'results'],
  };
  const perm = (action: 'view' | 'add' | 'change' | 'delete') => `Needs \`${reg.codename(action)}\`.`;
  const body = (suffix: string) => ({ required: true, content: json(ref(`${name}${suffix}`)) });
  paths[resource.path] = {
    get: {
      tags: [tag],
      operationId: `${id}_list`,
      summary: `List ${plural}`,
      description: `${perm('view')} Pages of ${reg.perPage} by default, in the admin's order.`,
      parameters: queryParameters(resource),
      responses: {
        200: { description: `A page of ${plural}.`, content: json(ref(`${name}Page`)) },
        400: PROBLEMS.query,
        401: PROBLEMS.unauthenticated,
        403: PROBLEMS.forbidden,
        404: problem('The page is past the last one.'),
      },
    },
    post: {
      tags: [tag],
      operationId: `${id}_create`,
      summary: `Create ${aSingle}`,
      description: `${perm('add')} ${custom?.description ?? 'Nested children are created in the same transaction.'}`,
      requestBody: body('Create'),
      responses: {
        201: { description: `The new ${single}.`, content: json(ref(custom ? `${name}Created` : name)) },
        401: PROBLEMS.unauthenticated,
        403: PROBLEMS.forbidden,
        409: PROBLEMS.conflict,
        422: PROBLEMS.invalid,
      },
    },
  };
  const object = {
    401: PROBLEMS.unauthenticated,
    403: PROBLEMS.forbidden,
    404: PROBLEMS.notFound,
  };
  for (const action of resource.actions)
    paths[action.path] = {
      post: {
        tags: [tag],
        operationId: `${id}_action_${action.name}`,
        summary: action.label,
        description: `The admin's bulk action “${action.label}”. ${perm(action.permission)} Answers with the action's message and the objects as they are afterwards, or 409 when the action refused or did only part of the selection.`,
        requestBody: { required: true, content: json(actionBodySchema(resource)) },
        responses: {
          200: {
            description: 'The action ran.',
            content: json({
              type: 'object',
              properties: { message: { type: 'string' }, results: { type: 'array', items: ref(name) } },
              required: ['message', 'results'],
            }),
          },
          401: PROBLEMS.unauthenticated,
          403: PROBLEMS.forbidden,
          409: PROBLEMS.action,
          422: PROBLEMS.invalid,
        },
      },
    };
  paths[`${resource.path}{id}/`] = {
    parameters: [
      {
        name: 'id',
        in: 'path',
        required: true,
        schema: reg.pk.kind === 'integer' ? { type: 'integer' } : { type: 'string' },
      },
    ],
    get: {
      tags: [tag],
      operationId: `${id}_retrieve`,
      summary: `Get ${aSingle}`,
      description: perm('view'),
      responses: { 200: { description: `The ${single}.`, content: json(ref(name)) }, ...object },
    },
    put: {
      tags: [tag],
      operationId: `${id}_update`,
      summary: `Replace ${aSingle}`,
      description: `${perm('change')} Every required field must be sent; others left out keep their values.`,
      requestBody: body('Update'),
      responses: {
        200: { description: `The ${single}.`, content: json(ref(name)) },
        ...object,
        409: PROBLEMS.conflict,
        422: PROBLEMS.invalid,
      },
    },
    patch: {
      tags: [tag],
      operationId: `${id}_partial_update`,
      summary: `Change some fields of ${aSingle}`,
      description: `${perm('change')} Only the keys sent change.`,
      requestBody: body('Patch'),
      responses: {
        200: { description: `The ${single}.`, content: json(ref(name)) },
        ...object,
        409: PROBLEMS.conflict,
        422: PROBLEMS.invalid,
      },
    },
    delete: {
      tags: [tag],
      operationId: `${id}_destroy`,
      summary: `Delete ${aSingle}`,
      description: `${perm('delete')} Deletes what the database cascades to, as the admin's confirmation page lists; refused when other objects protect it.`,
      responses: { 204: { description: 'Deleted.' }, ...object, 409: PROBLEMS.conflict },
    },
  };
}

/**
 * An endpoint added with defineApiRoutes: its path (`:id` as `{id}`), method, permission (in the
 * description, as for the models' endpoints), the schemas it was given (body, query string,
 * path parameters, responses) and the problem documents it may answer.
 */
function routeOperation(route: DocumentedRoute, paths: Record<string, unknown>): void {
  const path = route.path.replace(/:(\w+)/g, '{$1}');
  const schema = (route.schema ?? {}) as {
    body?: JsonSchema;
    querystring?: JsonSchema;
    params?: JsonSchema;
    response?: Record<string, JsonSchema>;
  };
  const props = (s: JsonSchema | undefined) =>
    ((s as { properties?: Record<string, JsonSchema> } | undefined)?.properties ?? {}) as Record<
      string,
      JsonSchema
    >;
  const requiredOf = (s: JsonSchema | undefined) =>
    (s as { required?: string[] } | undefined)?.required ?? [];
  const parameters = [
    ...[...route.path.matchAll(/:(\w+)/g)].map(([, name]) => ({
      name,
      in: 'path',
      required: true,
      schema: props(schema.params)[name!] ?? { type: 'string' },
    })),
    ...Object.entries(props(schema.querystring)).map(([name, s]) => ({
      name,
      in: 'query',
      required: requiredOf(schema.querystring).includes(name),
      schema: s,
    })),
  ];
  const ok = schema.response?.['200'] ?? schema.response?.['201'];
  const method = route.method.toLowerCase();
  const needs =
    route.permissions.length === 0
      ? 'Any authenticated user.'
      : `Needs ${route.permissions.map((p) => `\`${p}\``).join(' or ')}.`;
  const operation = {
    tags: [route.tag],
    operationId: `${method}${path.replace(/[^A-Za-z0-9]+/g, '_').replace(/_+$/, '')}`,
    summary: route.summary ?? `${route.method} ${path}`,
    description: needs,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(schema.body ? { requestBody: { required: true, content: json(schema.body) } } : {}),
    responses: {
      [schema.response?.['201'] ? 201 : 200]: { description: 'Done.', ...(ok ? { content: json(ok) } : {}) },
      ...(schema.querystring || schema.params ? { 400: PROBLEMS.query } : {}),
      401: PROBLEMS.unauthenticated,
      403: PROBLEMS.forbidden,
      ...(schema.body ? { 422: PROBLEMS.invalid } : {}),
    },
  };
  paths[path] = { ...((paths[path] as object | undefined) ?? {}), [method]: operation };
}

/**
 * The OpenAPI 3.1 document of the API, generated from the admin registrations: one path pair and
 * five schemas (read, create, update, patch, page) per registered model, the endpoints apps added
 * with defineApiRoutes, the problem documents, and the two ways to authenticate.
 *
 * @example
 *   buildOpenApi(describeResources(index)).paths['/api/v1/polls/question/'].get.operationId
 *   // 'polls_question_list'
 */
export function buildOpenApi(
  resources: readonly ApiResource[],
  options: {
    customCreates?: ReadonlyMap<string, CustomCreate>;
    /** The endpoints apps added with defineApiRoutes. */
    routes?: readonly DocumentedRoute[];
    title?: string;
    version?: string;
  } = {},
) {
  const info = { title: options.title ?? 'Slipway API', version: options.version ?? '1' };
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = { Problem: PROBLEM_SCHEMA, ValidationProblem: VALIDATION_PROBLEM };
  for (const resource of resources)
    operations(resource, paths, schemas, options.customCreates?.get(resource.path));
  const routes = options.routes ?? [];
  for (const route of routes) routeOperation(route, paths);
  const tags = [
    ...new Set([
      ...resources.map((r) => `${r.reg.appLabel}: ${r.reg.labelPlural}`),
      ...routes.map((r) => r.tag),
    ]),
  ];
  return {
    openapi: '3.1.0',
    info: {
      ...info,
      description:
        'JSON endpoints for every model registered in the admin, with the same permissions. Authenticate with `Authorization: Token <key>` (create one with `slipway createtoken <username>`), or with the session cookie plus the `X-CSRF-Token` header on unsafe requests. Errors are RFC 9457 problem documents.',
    },
    servers: [{ url: '/' }],
    tags: tags.map((name) => ({ name })),
    paths,
    components: {
      schemas,
      securitySchemes: {
        tokenAuth: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: 'The header `Authorization: Token <key>`.',
        },
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'The same key as `Authorization: Bearer <key>`.',
        },
        sessionAuth: {
          type: 'apiKey',
          in: 'cookie',
          name: 'sessionid',
          description:
            'The session cookie of a signed-in user; POST, PUT, PATCH and DELETE also need the `X-CSRF-Token` header.',
        },
      },
    },
    security: [{ tokenAuth: [] }, { bearerAuth: [] }, { sessionAuth: [] }],
  };
}
