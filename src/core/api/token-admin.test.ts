import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminBrowser, createTestUser, location } from '../admin/testing.js';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { ApiClient, pollsApps, userWithToken } from './testing.js';
import { createToken, hashKey } from './tokens.js';

// Tokens in the admin (list, rename, delete; a page of our own to add one and show its key once)
// and through the API (POST answers with the key, once).
let t: TestApp;
const q = (sql: string, params: unknown[] = []) => t.database.query<Record<string, unknown>>(sql, params);
const keyOn = (page: string) => /id="id_key" class="mono" value="(slw_[\w-]{43})"/.exec(page)?.[1];

beforeAll(async () => {
  t = await buildTestApp({ apps: pollsApps });
  await createTestUser(t.database.db, 'root', { superuser: true });
  await createTestUser(t.database.db, 'kim', {
    perms: ['api.add_token', 'api.view_token', 'api.delete_token'],
  });
});
afterAll(() => t.close());

describe('adding a token in the admin', () => {
  it('generates the key on the server, shows it once, and stores its hash', async () => {
    const browser = new AdminBrowser(t.app);
    await browser.login('root');
    const list = await browser.get('/admin/api/token/');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('href="/admin/api/token/add/"');
    const form = await browser.get('/admin/api/token/add/');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('name="username"');

    const res = await browser.post('/admin/api/token/add/', { username: 'kim', name: 'Laptop' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const key = keyOn(res.body);
    expect(key).toBeDefined();
    const [row] = await q(
      `SELECT t.id, t.key_hash, t.name, u.username FROM api_token t JOIN auth_user u ON u.id = t.user_id`,
    );
    expect(row).toMatchObject({ key_hash: hashKey(key!), name: 'Laptop', username: 'kim' });
    expect((await new ApiClient(t.app, { token: key! }).get('/api/v1/api/token/')).statusCode).toBe(200);

    const change = await browser.get(`/admin/api/token/${row!['id']}/change/`);
    expect(change.body).not.toContain(key!);
    expect(change.body).not.toContain(hashKey(key!));
    expect(change.body).toContain(key!.slice(0, 12));
    const history = await browser.get(`/admin/api/token/${row!['id']}/history/`);
    expect(history.body).toContain('Added.');
  });

  it('keeps a non-superuser to tokens of their own', async () => {
    const browser = new AdminBrowser(t.app);
    await browser.login('kim');
    const form = await browser.get('/admin/api/token/add/');
    expect(form.body).not.toContain('name="username"');
    const res = await browser.post('/admin/api/token/add/', { username: 'root', name: 'Sneaky' });
    const key = keyOn(res.body);
    const [owner] = await q(
      `SELECT u.username FROM api_token t JOIN auth_user u ON u.id = t.user_id WHERE t.key_hash = $1`,
      [hashKey(key!)],
    );
    expect(owner!['username']).toBe('kim');
    const [root] = await q(`SELECT id FROM auth_user WHERE username = 'root'`);
    await createToken(t.database.db, { userId: root!['id'] as number, name: 'Root key' });
    const list = await browser.get('/admin/api/token/');
    expect(list.body).toContain('Sneaky');
    expect(list.body).not.toContain('Root key');
  });

  it('is refused without the add permission, and asks anonymous users to log in', async () => {
    await createTestUser(t.database.db, 'staff-only', {});
    const browser = new AdminBrowser(t.app);
    await browser.login('staff-only');
    expect((await browser.get('/admin/api/token/add/')).statusCode).toBe(403);
    expect((await browser.post('/admin/api/token/add/', { name: 'x' })).statusCode).toBe(403);
    const anonymous = await new AdminBrowser(t.app).get('/admin/api/token/add/');
    expect(anonymous.statusCode).toBe(302);
    expect(location(anonymous)).toContain('/admin/login/');
  });
});

describe('tokens through the API', () => {
  it('are created for oneself with the key in the answer, once', async () => {
    const { key } = await userWithToken(t.database.db, 'lee', ['api.add_token', 'api.view_token']);
    const api = new ApiClient(t.app, { token: key });
    const res = await api.post('/api/v1/api/token/', { name: 'Phone' });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body.key).toMatch(/^slw_/);
    expect(body).toMatchObject({ name: 'Phone', prefix: body.key.slice(0, 12), lastUsedAt: null });
    expect(body).not.toHaveProperty('keyHash');
    const again = await api.get(`/api/v1/api/token/${body.id}/`);
    expect(again.json()).not.toHaveProperty('key');
    expect(again.json()).not.toHaveProperty('keyHash');

    const forRoot = await api.post('/api/v1/api/token/', { name: 'Escalate', userId: 1 });
    expect(forRoot.statusCode).toBe(403);
  });
});
