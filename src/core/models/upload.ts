import type { UploadContext, UploadedFile, UploadOptions } from '../admin/options.js';
import { SlipwayError } from '../errors.js';
import type { ModelError } from './model.js';

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
): Promise<{ ok: true; stored: Record<string, unknown> | undefined } | { ok: false; errors: ModelError[] }> {
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
