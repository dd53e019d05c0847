import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminBrowser, createTestUser } from '../../../core/admin/testing.js';
import { userWithToken } from '../../../core/api/testing.js';
import { buildTestApp, type TestApp } from '../../../core/testing/build-test-app.js';
import { engineName } from '../../../core/testing/migrated-database.js';
import { ContactNotFoundError } from '../errors.js';
import { newPerson } from '../testing.js';
import { contentDisposition } from './routes.js';
import { addAttachment, deleteAttachment, type MediaDeps, removeDeletedFiles } from './service.js';
import { storedPath } from './storage.js';

// Attachments on a running app: rows and files together, files removed only after the deletion
// committed, and downloads only for users who may view attachments.

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');
let t: TestApp;
let deps: MediaDeps;
let personId: number;

const fileOf = (row: { storedName: string }) => storedPath(t.config.mediaRoot, row.storedName);
const attach = (originalName = 'Contract 2026 «final».pdf') =>
  addAttachment(deps, { owner: { personId }, kind: 'contract', originalName, data: PDF });

beforeAll(async () => {
  t = await buildTestApp();
  deps = { db: t.database.db, mediaRoot: t.config.mediaRoot };
  personId = (await newPerson(deps.db)).person.id;
});
afterAll(() => t.close());

describe(`attachments (${engineName})`, () => {
  it('stores the file under MEDIA_ROOT with a generated name and records its metadata', async () => {
    const row = await attach('C:\\Users\\ada\\Contract.pdf');
    expect(row).toMatchObject({
      personId,
      kind: 'contract',
      originalName: 'Contract.pdf',
      contentType: 'application/pdf',
      size: PDF.length,
    });
    expect(row.storedName).toMatch(/^attachments\/[0-9a-f]{32}\.pdf$/);
    expect(fileOf(row).startsWith(t.config.mediaRoot)).toBe(true);
    expect(existsSync(fileOf(row))).toBe(true);
  });

  it('removes the stored file again when the row cannot be written', async () => {
    const error = await addAttachment(deps, {
      owner: { personId: 999_999 },
      originalName: 'orphan.pdf',
      data: PDF,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactNotFoundError);
    const [{ n }] = (await t.database.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM contacts_attachment WHERE person_id = 999999',
    )) as [{ n: number }];
    expect(n).toBe(0);
  });

  it('removes the file after the deletion commits, and keeps it when the transaction fails', async () => {
    const row = await attach();
    // A deletion rolled back: the row and the file stay.
    await t.database
      .withSession((s) =>
        s.transaction(async (tx) => {
          await tx.query('DELETE FROM contacts_attachment WHERE id = $1', [row.id]);
          throw new Error('something later in the transaction failed');
        }),
      )
      .catch(() => undefined);
    expect(await removeDeletedFiles(deps)).toBe(0);
    expect(existsSync(fileOf(row))).toBe(true);

    await deleteAttachment(deps, row.id);
    expect(existsSync(fileOf(row))).toBe(false);
  });

  it('removes the files of a deleted person once that deletion has committed', async () => {
    const other = (await newPerson(deps.db, { firstName: 'Gone' })).person.id;
    const row = await addAttachment(deps, {
      owner: { personId: other },
      originalName: 'a.txt',
      data: Buffer.from('hi'),
    });
    await t.database.query('DELETE FROM contacts_person WHERE id = $1', [other]);
    expect(existsSync(fileOf(row))).toBe(true); // queued, not yet swept
    expect(await removeDeletedFiles(deps)).toBe(1);
    expect(existsSync(fileOf(row))).toBe(false);
  });

  it('keeps a queued file whose name an attachment row uses again (a restored fixture)', async () => {
    const row = await attach();
    await t.database.query('DELETE FROM contacts_attachment WHERE id = $1', [row.id]);
    await t.database.query(
      `INSERT INTO contacts_attachment (person_id, original_name, stored_name, content_type, size, sha256)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [personId, row.originalName, row.storedName, row.contentType, row.size, row.sha256],
    );
    expect(await removeDeletedFiles(deps)).toBe(0);
    expect(existsSync(fileOf(row))).toBe(true);
  });

  it('downloads only for staff with the view permission, as an attachment that is never sniffed', async () => {
    const row = await attach();
    const url = `/admin/contacts/attachment/${row.id}/download/`;
    await createTestUser(t.database.db, 'viewer', { perms: ['contacts.view_attachment'] });
    await createTestUser(t.database.db, 'other', { perms: ['contacts.view_person'] });

    const anonymous = await new AdminBrowser(t.app).get(url);
    expect(anonymous.statusCode).toBe(302);
    expect(anonymous.headers['location']).toBe(`/admin/login/?next=${encodeURIComponent(url)}`);

    const other = new AdminBrowser(t.app);
    await other.login('other');
    expect((await other.get(url)).statusCode).toBe(403);

    const viewer = new AdminBrowser(t.app);
    await viewer.login('viewer');
    const res = await viewer.get(url);
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload).toEqual(PDF);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(contentDisposition('Contract 2026 «final».pdf'));
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="Contract 2026 _final_.pdf"; filename*=UTF-8''Contract%202026%20%C2%ABfinal%C2%BB.pdf`,
    );
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect((await viewer.get('/admin/contacts/attachment/999999/download/')).statusCode).toBe(404);
    expect((await viewer.get('/admin/contacts/attachment/x/download/')).statusCode).toBe(404);
  });

  it('downloads through the API with a token that may view attachments, and with nothing else', async () => {
    const row = await attach('notes.pdf');
    const url = `/api/v1/contacts/attachment/${row.id}/file/`;
    const { key } = await userWithToken(t.database.db, 'api-viewer', ['contacts.view_attachment']);
    const { key: otherKey } = await userWithToken(t.database.db, 'api-other', ['contacts.view_person']);
    const get = (path: string, token?: string) =>
      t.app.inject({
        url: path,
        headers: {
          host: 'localhost',
          accept: 'application/json',
          ...(token ? { authorization: `Token ${token}` } : {}),
        },
      });

    const res = await get(url, key);
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload).toEqual(PDF);
    expect(res.headers['content-disposition']).toBe(contentDisposition('notes.pdf'));
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect((await get(url)).statusCode).toBe(401);
    expect((await get(url, 'slw_not-a-real-key')).statusCode).toBe(401);
    const denied = await get(url, otherKey);
    expect(denied.statusCode).toBe(403);
    expect(denied.headers['content-type']).toContain('application/problem+json');
    expect((await get('/api/v1/contacts/attachment/999999/file/', key)).statusCode).toBe(404);
    expect((await get('/api/v1/contacts/attachment/2147483648/file/', key)).statusCode).toBe(404);
  });

  it('removes the file after an admin deletion, once the response is sent', async () => {
    const row = await attach();
    await createTestUser(t.database.db, 'admin', { superuser: true });
    const browser = new AdminBrowser(t.app);
    await browser.login('admin');
    const res = await browser.post(`/admin/contacts/attachment/${row.id}/delete/`, { post: 'yes' });
    expect(res.statusCode).toBe(303);
    // onResponse runs after the reply; give it a moment.
    for (let i = 0; i < 50 && existsSync(fileOf(row)); i++) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(fileOf(row))).toBe(false);
  });

  it('strips quotes and control characters from the download name', () => {
    expect(contentDisposition('a"b\r\nc\\.txt')).toBe(
      `attachment; filename="abc.txt"; filename*=UTF-8''abc.txt`,
    );
  });
});
