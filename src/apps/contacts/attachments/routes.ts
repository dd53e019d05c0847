import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../core/apps/define-app.js';
import { PermissionDeniedError } from '../../../core/auth/errors.js';
import { ContactNotFoundError } from '../errors.js';
import { attachmentFile, removeDeletedFiles } from './service.js';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * `Content-Disposition: attachment` with the original name: an ASCII fallback and the UTF-8 name
 * (RFC 6266), with quotes, backslashes and control characters left out.
 */
export function contentDisposition(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are removed
  const safe = name.replace(/[\u0000-\u001f\u007f"\\]/g, '');
  const fallback = safe.replace(/[^\x20-\x7e]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(safe)}`;
}

/**
 * GET /admin/contacts/attachment/<id>/download/: the file, to staff users with the view (or
 * change) permission on attachments. Always a download (Content-Disposition: attachment), with
 * the type detected at upload, nosniff and a CSP that runs nothing, so an uploaded file can never
 * act as a page of this site.
 */
export function registerAttachmentRoutes(app: FastifyInstance, ctx: AppContext): void {
  const deps = { db: ctx.database.db, mediaRoot: ctx.config.mediaRoot };
  app.get('/admin/contacts/attachment/:id/download/', async (request, reply) => {
    const user = request.user;
    if (!user) return reply.redirect(`/admin/login/?next=${encodeURIComponent(request.url)}`, 302);
    const allowed =
      user.isStaff &&
      (user.hasPerm('contacts.view_attachment') || user.hasPerm('contacts.change_attachment'));
    if (!allowed) throw new PermissionDeniedError('You do not have permission to view attachments.');
    const raw = (request.params as { id: string }).id;
    const id = /^\d{1,9}$/.test(raw) ? Number(raw) : undefined;
    if (id === undefined) throw new ContactNotFoundError('attachment', raw);
    const { row, path } = await attachmentFile(deps, id);
    const size = await stat(path).then(
      (s) => s.size,
      () => undefined,
    );
    if (size === undefined) throw new ContactNotFoundError('file for attachment', id);
    return reply
      .header(
        'content-type',
        row.contentType === 'text/plain' ? 'text/plain; charset=utf-8' : row.contentType,
      )
      .header('content-length', String(size))
      .header('content-disposition', contentDisposition(row.originalName))
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('cache-control', 'private, no-store')
      .send(createReadStream(path));
  });
}

/**
 * After every unsafe admin or API request (the response is sent, its transaction committed),
 * removes the files of attachments deleted by then: by the admin's delete pages, the cascade from
 * a deleted person or company, or the API. Other paths (psql, the CLI) are swept by the next one.
 */
export function installDeletedFileSweeper(app: FastifyInstance, ctx: AppContext): void {
  const deps = { db: ctx.database.db, mediaRoot: ctx.config.mediaRoot };
  app.addHook('onResponse', async (request) => {
    if (!UNSAFE.has(request.method) || !/^\/(admin|api)\//.test(request.url)) return;
    try {
      await removeDeletedFiles(deps);
    } catch (error) {
      request.log.warn({ err: error }, 'could not remove the files of deleted attachments');
    }
  });
}
