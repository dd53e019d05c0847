import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { defineApiRoutes } from '../../../core/api/define-api-routes.js';
import type { AppContext } from '../../../core/apps/define-app.js';
import { PermissionDeniedError } from '../../../core/auth/errors.js';
import type { AuthUser } from '../../../core/auth/request-user.js';
import { ContactNotFoundError } from '../errors.js';
import { attachmentFile, type MediaDeps, removeDeletedFiles, storedNamesInUse } from './service.js';
import { removeStaleUploads, removeUnconfirmedUploads } from './storage.js';

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

/** Who may download attachments: the view (or change) permission, as for the list. */
const VIEW_ATTACHMENTS = ['contacts.view_attachment', 'contacts.change_attachment'] as const;

function mayViewAttachments(user: AuthUser): boolean {
  return VIEW_ATTACHMENTS.some((perm) => user.hasPerm(perm));
}

/**
 * Sends attachment `raw`'s file: always a download (Content-Disposition: attachment), with the
 * type detected at upload, nosniff and a CSP that runs nothing, so an uploaded file can never act
 * as a page of this site. A malformed id, a missing row or a missing file is a 404.
 */
async function sendAttachment(reply: FastifyReply, deps: MediaDeps, raw: string) {
  const id = /^[1-9]\d{0,8}$/.test(raw) ? Number(raw) : undefined;
  if (id === undefined) throw new ContactNotFoundError('attachment', raw.slice(0, 40));
  const { row, path } = await attachmentFile(deps, id);
  const size = await stat(path).then(
    (s) => s.size,
    () => undefined,
  );
  if (size === undefined) throw new ContactNotFoundError('file for attachment', id);
  return reply
    .header('content-type', row.contentType === 'text/plain' ? 'text/plain; charset=utf-8' : row.contentType)
    .header('content-length', String(size))
    .header('content-disposition', contentDisposition(row.originalName))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cache-control', 'private, no-store')
    .send(createReadStream(path));
}

/**
 * The files of attachments, to users with the view (or change) permission on attachments:
 * - GET /admin/contacts/attachment/<id>/download/: staff users signed in to the admin (the
 *   attachment's change page links it);
 * - GET /api/v1/contacts/attachment/<id>/file/: API clients, with a token or the session, as
 *   for the rest of the API (the JSON resource carries the file's metadata, this its content).
 */
export async function registerAttachmentRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const deps = { db: ctx.database.db, mediaRoot: ctx.config.mediaRoot };
  const denied = 'You do not have permission to view attachments.';
  app.get<{ Params: { id: string } }>('/admin/contacts/attachment/:id/download/', async (request, reply) => {
    const user = request.user;
    if (!user) return reply.redirect(`/admin/login/?next=${encodeURIComponent(request.url)}`, 302);
    if (!user.isStaff || !mayViewAttachments(user)) throw new PermissionDeniedError(denied);
    return sendAttachment(reply, deps, request.params.id);
  });
  await defineApiRoutes(app, ctx, (api) => {
    api.route<{ id: string }>({
      method: 'GET',
      path: 'contacts/attachment/:id/file/',
      permission: VIEW_ATTACHMENTS,
      deniedMessage: denied,
      handler: (request, reply) => sendAttachment(reply, deps, request.params.id),
    });
  });
}

/**
 * After every unsafe admin or API request (the response is sent, its transaction committed),
 * removes the files of attachments deleted by then: by the admin's delete pages, the cascade from
 * a deleted person or company, or the API. Other paths (psql, the CLI) are swept by the next one.
 * Also removes, at start and from time to time, the temporary files of interrupted uploads (see
 * removeStaleUploads) and the stored files of uploads whose row never committed (a process killed
 * between the two; see removeUnconfirmedUploads).
 */
export async function installDeletedFileSweeper(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const deps = { db: ctx.database.db, mediaRoot: ctx.config.mediaRoot };
  // Temporary files of uploads interrupted by a killed process: removed at start, and again at
  // most once a minute after an unsafe request (another instance may have been killed).
  let lastStaleSweep = Date.now();
  const sweepStale = async () => {
    const removed = await removeStaleUploads(deps.mediaRoot);
    if (removed > 0) ctx.log.info({ removed }, 'removed the temporary files of interrupted uploads');
    const orphans = await removeUnconfirmedUploads(deps.mediaRoot, (names) => storedNamesInUse(deps, names));
    if (orphans > 0)
      ctx.log.info({ removed: orphans }, 'removed the files of uploads whose row never committed');
  };
  await sweepStale().catch((error) => ctx.log.warn({ err: error }, 'could not remove interrupted uploads'));
  app.addHook('onResponse', async (request) => {
    if (!UNSAFE.has(request.method) || !/^\/(admin|api)\//.test(request.url)) return;
    try {
      await removeDeletedFiles(deps);
      if (Date.now() - lastStaleSweep > 60_000) {
        lastStaleSweep = Date.now();
        await sweepStale();
      }
    } catch (error) {
      request.log.warn({ err: error }, 'could not remove the files of deleted attachments');
    }
  });
}
