import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminBrowser, createTestUser, location } from '../../../core/admin/testing.js';
import { buildTestApp, type TestApp } from '../../../core/testing/build-test-app.js';
import { engineName } from '../../../core/testing/migrated-database.js';
import { newPerson } from '../testing.js';
import { storedPath } from './storage.js';

// Uploading an attachment through the admin's add form (multipart/form-data).

const PNG = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
]);
let t: TestApp;
let browser: AdminBrowser;
let personId: number;

/** A multipart body as a browser sends it: the fields, then the file part (empty when no file). */
function multipart(
  fields: Record<string, string>,
  file?: { filename: string; content: Buffer; type?: string },
) {
  const boundary = '----slipwayTestBoundary7MA4YWxkTrZu0gW';
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields))
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  chunks.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file?.filename ?? ''}"\r\n` +
        `Content-Type: ${file?.type ?? 'application/octet-stream'}\r\n\r\n`,
    ),
    file?.content ?? Buffer.alloc(0),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function upload(
  fields: Record<string, string>,
  file?: { filename: string; content: Buffer; type?: string },
) {
  const { payload, contentType } = multipart({ csrf_token: await browser.csrfToken(), ...fields }, file);
  const res = await t.app.inject({
    method: 'POST',
    url: '/admin/contacts/attachment/add/',
    payload,
    headers: {
      host: 'localhost',
      'content-type': contentType,
      cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    },
  });
  return res;
}

const stored = () => {
  const dir = join(t.config.mediaRoot, 'attachments');
  return existsSync(dir) ? readdirSync(dir) : [];
};

beforeAll(async () => {
  t = await buildTestApp();
  personId = (await newPerson(t.database.db)).person.id;
  await createTestUser(t.database.db, 'admin', { superuser: true });
  browser = new AdminBrowser(t.app);
  await browser.login('admin');
});
afterAll(() => t.close());

describe(`uploading attachments in the admin (${engineName})`, () => {
  it('shows a multipart form with a file input, the person preset from the query', async () => {
    const page = await browser.get(`/admin/contacts/attachment/add/?personId=${personId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('enctype="multipart/form-data"');
    expect(page.body).toMatch(/<input type="file" name="file" id="id_file" accept="\.pdf,[^"]*" required/);
  });

  it('stores an upload under a generated name, with the type read from the content', async () => {
    const res = await upload(
      { personId: String(personId), companyId: '', kind: 'image' },
      { filename: 'holiday photo.png', content: PNG, type: 'application/pdf' },
    );
    expect(res.statusCode).toBe(303);
    const [row] = await t.database.query<{
      id: number;
      stored_name: string;
      original_name: string;
      content_type: string;
      size: number;
    }>('SELECT id, stored_name, original_name, content_type, size FROM contacts_attachment');
    expect(row).toMatchObject({
      original_name: 'holiday photo.png',
      content_type: 'image/png',
      size: PNG.length,
    });
    expect(readFileSync(storedPath(t.config.mediaRoot, row!.stored_name))).toEqual(PNG);
    const download = await browser.get(`/admin/contacts/attachment/${row!.id}/download/`);
    expect(download.rawPayload).toEqual(PNG);
  });

  it('refuses a file whose content is not an allowed type, on the file input, storing nothing', async () => {
    const before = stored();
    const res = await upload(
      { personId: String(personId), companyId: '', kind: 'document' },
      { filename: 'invoice.pdf', content: Buffer.from([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0]) },
    );
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(
      'The content of this file is not one of the accepted types: PDF, PNG, JPEG, GIF, WebP, plain text.',
    );
    expect(stored()).toEqual(before);
  });

  it('asks for a file, and reports the other fields at the same time', async () => {
    const res = await upload({ personId: '', companyId: '', kind: 'document' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Choose a file.');
    expect(res.body).toContain('Choose a person or a company (one of the two).');
  });

  it('removes the stored file when the database then refuses the row', async () => {
    const before = stored();
    await t.database.exec(`CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = 'test_refuse', MESSAGE = 'Not today.'; END $$;
      CREATE TRIGGER test_refuse BEFORE INSERT ON contacts_attachment FOR EACH ROW EXECUTE FUNCTION test_refuse();`);
    try {
      const res = await upload(
        { personId: String(personId), companyId: '', kind: 'document' },
        { filename: 'notes.txt', content: Buffer.from('hello') },
      );
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('Not today.');
      expect(stored()).toEqual(before);
    } finally {
      await t.database.exec('DROP TRIGGER test_refuse ON contacts_attachment; DROP FUNCTION test_refuse();');
    }
  });

  it('refuses a forged upload without the CSRF token', async () => {
    const { payload, contentType } = multipart(
      { personId: String(personId) },
      { filename: 'a.txt', content: Buffer.from('x') },
    );
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/contacts/attachment/add/',
      payload,
      headers: {
        host: 'localhost',
        'content-type': contentType,
        cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    expect(res.statusCode).toBe(403);
    expect(location(res)).toBe('');
  });
});
