import { SlipwayError } from '../../errors.js';
import type { UploadContext, UploadedFile, UploadOptions } from '../../models/upload.js';
import type { FormBody } from './form-values.js';
import { editableFields, type FormState } from './object-form.js';

/** The file of a multipart body under `key`, or undefined when none was chosen (or sent). */
export function uploadedFile(body: FormBody, key: string): UploadedFile | undefined {
  const value = (body as Record<string, unknown>)[key];
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const file = value as UploadedFile;
  return typeof file.filename === 'string' && file.filename !== '' && Buffer.isBuffer(file.data)
    ? file
    : undefined;
}

/**
 * The upload step of a save, after the other fields were parsed:
 * 1. no file: an error on the add form (unless the upload is optional), nothing on the change form;
 * 2. the form has errors already: the file is not stored (it would have to be removed again);
 * 3. else `store` keeps it and its column values are returned; a refusal (a SlipwayError below
 *    500, with its field `errors`) goes on the form, on the input unless it names a shown field.
 */
export async function storeUpload(
  upload: UploadOptions,
  body: FormBody,
  state: FormState,
  ctx: UploadContext,
): Promise<Record<string, unknown> | undefined> {
  const addError = (key: string, message: string) => {
    state.errors[key] = [...(state.errors[key] ?? []), message];
  };
  const file = uploadedFile(body, upload.key);
  if (!file) {
    if (ctx.mode === 'add' && upload.required !== false) addError(upload.key, 'Choose a file.');
    return undefined;
  }
  if (Object.keys(state.errors).length > 0) return undefined;
  try {
    return await upload.store(file, ctx);
  } catch (error) {
    if (!(error instanceof SlipwayError) || error.status >= 500) throw error;
    const fields = new Set(editableFields(state).map((f) => f.key));
    if (error.errors.length === 0) addError(upload.key, error.message);
    for (const { field, message } of error.errors)
      addError(field !== null && fields.has(field) ? field : upload.key, message);
    return undefined;
  }
}
