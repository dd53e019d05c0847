import { getTableName } from 'drizzle-orm';
import type { CheckRules } from '../db/check-rules.js';
import type { FieldMeta } from '../models/fields.js';
import { UPLOAD_MAX_BYTES } from '../models/upload.js';
import { fieldRules, intRange, isBigintKey, keyRange } from '../models/values.js';
import type { ApiChild, ApiResource } from './resource.js';

/** A JSON Schema (draft 2020-12 / OpenAPI 3.1 dialect, within what ajv's draft-07 validates). */
export type JsonSchema = Record<string, unknown>;

/** Rows per page at most, whatever `page_size` asks. */
export const MAX_PAGE_SIZE = 1000;

/** What a write request may do: create (POST), replace (PUT) or change some fields (PATCH). */
export type WriteMode = 'create' | 'update' | 'patch';

function typed(field: FieldMeta, schema: JsonSchema): JsonSchema {
  if (field.notNull) return schema;
  const type = schema['type'];
  const nullable: JsonSchema = { ...schema };
  if (type !== undefined) nullable['type'] = [...(Array.isArray(type) ? type : [type]), 'null'];
  if (Array.isArray(schema['enum'])) nullable['enum'] = [...(schema['enum'] as unknown[]), null];
  return nullable;
}

/**
 * The JSON Schema of one column's value: its type, `maxLength` from varchar(n), the integer
 * type's range, enum values, `date`/`date-time` formats, and null when the column is nullable.
 *
 * @example
 *   columnSchema(describeTable(question).field('questionText')!, registry.checkRules)
 *   // { type: 'string', maxLength: 200, minLength: 1, title: 'Question text' }
 */
export function columnSchema(field: FieldMeta, checkRules: CheckRules, title = field.label): JsonSchema {
  const base: JsonSchema = { title };
  const required = field.notNull && !field.hasDefault;
  if (field.references) {
    base['description'] = `The id of a row of ${getTableName(field.references.foreignTable)}.`;
  }
  switch (field.kind) {
    case 'integer': {
      const [minimum, maximum] = intRange(field);
      return typed(field, { ...base, type: 'integer', minimum, maximum });
    }
    case 'decimal':
      return typed(field, {
        ...base,
        type: ['string', 'number'],
        pattern: '^[+-]?(\\d{1,100}(\\.\\d{0,100})?|\\.\\d{1,100})$',
        description: 'A decimal number; sent as a string to keep its precision.',
      });
    case 'float':
      return typed(field, { ...base, type: 'number' });
    case 'boolean':
      return typed(field, { ...base, type: 'boolean' });
    case 'date':
      return typed(field, { ...base, type: 'string', format: 'date' });
    case 'datetime':
      return typed(field, {
        ...base,
        type: 'string',
        format: 'date-time',
        description: 'An RFC 3339 date and time with its offset, e.g. 2026-01-31T12:00:00Z.',
      });
    case 'enum':
      return typed(field, { ...base, type: 'string', enum: [...(field.enumValues ?? [])] });
    case 'text':
    case 'longtext': {
      // The column's CHECK rules in words, as the model layer checks them on every write.
      const rules = fieldRules(field, checkRules);
      return typed(field, {
        ...base,
        type: 'string',
        ...(field.maxLength ? { maxLength: field.maxLength } : {}),
        ...(required ? { minLength: 1 } : {}),
        ...(rules.length > 0 ? { description: rules.join(' ') } : {}),
      });
    }
    case 'json':
      return { ...base, description: 'Any JSON value.' };
    default:
      return { ...base, readOnly: true };
  }
}

function readOnly(schema: JsonSchema): JsonSchema {
  return { ...schema, readOnly: true };
}

/**
 * An id in a body (a nested child's, a many-to-many link's): a whole number within the key
 * column's range, a bigint key as its decimal digits, other keys as text.
 */
export function keySchema(field: FieldMeta): JsonSchema {
  if (field.kind === 'integer') {
    const [minimum, maximum] = keyRange(field);
    return { type: 'integer', minimum: Math.max(minimum, 1), maximum };
  }
  if (isBigintKey(field)) return { type: 'string', pattern: '^\\d{1,19}$' };
  return { type: 'string', maxLength: 1000 };
}

/** A child row of a nested array, as responses show it: its id and the inline's fields. */
export function childReadSchema(child: ApiChild): JsonSchema {
  const { inline } = child;
  return {
    type: 'object',
    title: inline.label,
    properties: Object.fromEntries(
      child.fields.map((f) => {
        const schema = columnSchema(f, inline.checkRules);
        return [f.key, f.primary || inline.readonly.has(f.key) ? readOnly(schema) : schema];
      }),
    ),
    required: child.fields.map((f) => f.key),
  };
}

/**
 * A child row in a request: with `id`, an existing child to keep (and change); without, a new
 * child, whose required fields must then be given.
 */
export function childWriteSchema(child: ApiChild): JsonSchema {
  const { inline } = child;
  const pk = inline.meta.pk!;
  const required = child.fields
    .filter((f) => f !== pk && !inline.readonly.has(f.key) && f.notNull && !f.hasDefault)
    .map((f) => f.key);
  return {
    type: 'object',
    title: inline.label,
    properties: Object.fromEntries(
      child.fields.map((f) => {
        if (f === pk)
          return [
            f.key,
            {
              ...keySchema(f),
              description: `An existing ${inline.label.toLowerCase()}'s id; leave out to add one.`,
            },
          ];
        const schema = columnSchema(f, inline.checkRules);
        return [f.key, inline.readonly.has(f.key) ? readOnly(schema) : schema];
      }),
    ),
    additionalProperties: false,
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, not a promise.
    ...(required.length > 0 ? { if: { not: { required: [pk.key] } }, then: { required } } : {}),
  };
}

/** An object as responses show it: its columns, many-to-many ids and nested children. */
export function readSchema(resource: ApiResource): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const f of resource.fields) {
    const schema = columnSchema(f, resource.reg.checkRules, resource.reg.fieldLabel(f.key));
    properties[f.key] = resource.writable.has(f.key) ? schema : readOnly(schema);
  }
  for (const m of resource.manyToMany)
    properties[m.key] = { type: 'array', title: m.label, items: keySchema(m.otherField) };
  for (const c of resource.children)
    properties[c.key] = {
      type: 'array',
      title: c.inline.labelPlural,
      description: 'Present when you may view these rows.',
      items: childReadSchema(c),
    };
  return {
    type: 'object',
    title: resource.reg.label,
    properties,
    required: [...resource.fields.map((f) => f.key), ...resource.manyToMany.map((m) => m.key)],
  };
}

/**
 * The body of a POST, PUT or PATCH. Read-only columns may be sent back (they are ignored);
 * unknown keys are errors. POST and PUT need every required writable column; PATCH none. A
 * nested array, when present, is the complete list of children: listed ids are kept, rows without
 * an id are added, and children left out are deleted.
 */
export function writeSchema(resource: ApiResource, mode: WriteMode): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const f of resource.fields) {
    const schema = columnSchema(f, resource.reg.checkRules, resource.reg.fieldLabel(f.key));
    if (!resource.writable.has(f.key)) {
      properties[f.key] = { ...readOnly(schema), description: 'Read-only; ignored when sent.' };
      continue;
    }
    properties[f.key] = schema;
    if (mode !== 'patch' && f.notNull && !f.hasDefault) required.push(f.key);
  }
  for (const m of resource.manyToMany)
    properties[m.key] = {
      type: 'array',
      title: m.label,
      description: 'The ids of every related object (replaces the current links).',
      items: keySchema(m.otherField),
      maxItems: 5000,
    };
  for (const c of resource.children)
    properties[c.key] = {
      type: 'array',
      title: c.inline.labelPlural,
      description:
        'The complete list: rows with an id are kept (and changed), rows without one are added, and existing rows left out are deleted. Leave the key out to keep the rows as they are.',
      items: childWriteSchema(c),
      maxItems: c.inline.max,
    };
  const adding = mode === 'create';
  for (const x of resource.extraFields)
    if (!x.on || x.on === (adding ? 'add' : 'change'))
      properties[x.key] = {
        type: 'string',
        writeOnly: true,
        title: x.label,
        maxLength: 4096,
        ...(x.help ? { description: x.help } : {}),
      };
  const upload = resource.upload;
  if (upload) {
    properties[upload.key] = fileSchema(upload.label, upload.help);
    if (adding && upload.required !== false) required.push(upload.key);
  }
  return {
    type: 'object',
    title: resource.reg.label,
    properties,
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  };
}

/** The most base64 text a file may take: UPLOAD_MAX_BYTES, encoded. */
export const MAX_FILE_BASE64 = Math.ceil(UPLOAD_MAX_BYTES / 3) * 4;

/** A file in a JSON body: its name (metadata only) and its content in base64. */
function fileSchema(title: string, help: string | undefined): JsonSchema {
  return {
    type: 'object',
    title,
    writeOnly: true,
    description: `${help ? `${help} ` : ''}Sent as its name and its content in base64; on a change, a new file replaces the old one.`,
    properties: {
      filename: { type: 'string', minLength: 1, maxLength: 255 },
      content: { type: 'string', contentEncoding: 'base64', maxLength: MAX_FILE_BASE64 },
    },
    required: ['filename', 'content'],
    additionalProperties: false,
  };
}

/** The query string of a list: pagination, search, ordering and the registration's filters. */
export function listQuerySchema(resource: ApiResource): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    page: { type: 'integer', minimum: 1, description: 'The page number, from 1.' },
    page_size: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_PAGE_SIZE,
      description: `Rows per page (default ${resource.reg.perPage}).`,
    },
  };
  if (resource.reg.searchFields.length > 0)
    properties['search'] = {
      type: 'string',
      maxLength: 200,
      description: `Words that must each appear (case-insensitively) in one of: ${resource.reg.searchFields.map((f) => f.key).join(', ')}.`,
    };
  if (resource.orderingKeys.length > 0)
    properties['ordering'] = {
      type: 'string',
      maxLength: 200,
      description: `Comma-separated keys, "-" first for descending: ${resource.orderingKeys.join(', ')}.`,
    };
  for (const f of resource.filters) properties[f.name] = { ...f.schema, description: f.description };
  return { type: 'object', properties };
}
