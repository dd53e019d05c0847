import type { AppDb } from '../db/database.js';
import { type FieldError, SlipwayError } from '../errors.js';

/** A file sent with a write, as the transport hands it to {@link UploadOptions.store}. */
export interface UploadedFile {
  /** The name on the user's machine: metadata only, never a path. */
  readonly filename: string;
  /** The type the browser claimed: not to be trusted. */
  readonly mimetype: string;
  readonly data: Buffer;
  /** True when the file was larger than {@link UPLOAD_MAX_BYTES} and was cut short. */
  readonly truncated: boolean;
}

/** The most a transport reads of one uploaded file (more is cut, and `truncated` set). */
export const UPLOAD_MAX_BYTES = 10 * 1024 * 1024 + 1;

export interface UploadContext {
  readonly db: AppDb;
  /** MEDIA_ROOT, where uploaded files belong. */
  readonly mediaRoot: string;
  readonly mode: 'add' | 'change';
}

/**
 * A model's file (Django's FileField): stored by `store` only once the rest of the write is
 * valid, its columns saved with the object. Adding requires a file (unless `required: false`);
 * on a change a file is optional and replaces the old one. The admin shows it as a file input
 * (a multipart/form-data form), the API takes it as multipart.
 *
 * @example
 *   upload: { key: 'file', label: 'File', store: (file, ctx) => storeIt(ctx.mediaRoot, file) }
 */
export interface UploadOptions {
  /** The input's name; not a column. */
  readonly key: string;
  readonly label: string;
  readonly help?: string;
  /** The input's `accept` attribute, e.g. `.pdf,.png`. */
  readonly accept?: string;
  readonly required?: boolean;
  /**
   * Stores the file and returns the column values to save with the object. To refuse it, throw
   * a SlipwayError with a status below 500 whose `errors` name the fields (FieldError[]).
   */
  readonly store: (file: UploadedFile, ctx: UploadContext) => Promise<Record<string, unknown>>;
  /** Undoes `store` when the object then cannot be saved. */
  readonly discard?: (stored: Record<string, unknown>, ctx: UploadContext) => Promise<void>;
}

/** The field errors a refusal carries, in either shape a service may give them. */
function refusalErrors(error: SlipwayError): { field: string | null; message: string }[] {
  const listed = (error as { errors?: unknown }).errors;
  if (Array.isArray(listed) && listed.length > 0) return listed;
  const detail = (error.detail as { errors?: unknown } | undefined)?.errors;
  if (Array.isArray(detail)) return detail;
  return Object.entries((detail ?? {}) as Record<string, string[]>).flatMap(([field, messages]) =>
    messages.map((message) => ({ field, message })),
  );
}

/**
 * Stores a model's file (its registration's `upload.store`) once the rest of the write is
 * valid: none sent is an error when adding (unless the upload is optional), and a refusal (a
 * SlipwayError below 500) comes back as errors, on `fields` it names, else on the file's key.
 * Returns the column values to save with the object.
 */
export async function storeModelFile(
  upload: UploadOptions,
  file: UploadedFile | undefined,
  ctx: UploadContext,
  fields: ReadonlySet<string>,
): Promise<{ ok: true; stored: Record<string, unknown> | undefined } | { ok: false; errors: FieldError[] }> {
  if (!file) {
    if (ctx.mode === 'add' && upload.required !== false)
      return { ok: false, errors: [{ field: upload.key, message: 'Choose a file.' }] };
    return { ok: true, stored: undefined };
  }
  try {
    return { ok: true, stored: await upload.store(file, ctx) };
  } catch (error) {
    if (!(error instanceof SlipwayError) || error.status >= 500) throw error;
    const errors = refusalErrors(error);
    if (errors.length === 0) return { ok: false, errors: [{ field: upload.key, message: error.message }] };
    return {
      ok: false,
      errors: errors.map(({ field, message }) => ({
        field: field !== null && fields.has(field) ? field : upload.key,
        message,
      })),
    };
  }
}
