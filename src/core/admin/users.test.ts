import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUserByUsername } from '../auth/users.js';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { AdminBrowser, createTestUser, location, userPermissionCodenames } from './testing.js';

let t: TestApp;
let admin: AdminBrowser;
const q = (sql: string, params: unknown[] = []) => t.database.query<Record<string, unknown>>(sql, params);
const permissionId = async (codename: string) =>
  (await q('SELECT id FROM auth_permission WHERE codename = $1', [codename]))[0]!['id'] as number;

beforeAll(async () => {
  t = await buildTestApp();
  await createTestUser(t.database.db, 'admin', { superuser: true });
  admin = new AdminBrowser(t.app);
  await admin.login('admin');
});
afterAll(() => t.close());

describe('adding a user', () => {
  it('asks for the password twice and validates it', async () => {
    const page = await admin.get('/admin/auth/user/add/');
    expect(page.body).toContain(
      '<input type="password" name="password1" id="id_password1" autocomplete="new-password"',
    );
    expect(page.body).not.toContain('name="password"');
    const mismatch = await admin.post('/admin/auth/user/add/', {
      username: 'newbie',
      password1: 'long-enough-pass',
      password2: 'different-pass-1',
    });
    expect(mismatch.body).toContain(
      '<ul class="errorlist" id="id_password2_error"><li>The two password fields didn’t match.</li></ul>',
    );
    expect(mismatch.body).toContain('value="newbie"');
    expect(mismatch.body).not.toContain('long-enough-pass');
    const weak = await admin.post('/admin/auth/user/add/', {
      username: 'newbie',
      password1: 'newbie123',
      password2: 'newbie123',
    });
    expect(weak.body).toContain('The password is too similar to the username.');
    const badName = await admin.post('/admin/auth/user/add/', {
      username: 'no spaces',
      password1: 'x-long-passphrase',
      password2: 'x-long-passphrase',
    });
    expect(badName.body).toContain('Enter a username of up to 150 letters');
    expect(await findUserByUsername(t.database.db, 'newbie')).toBeUndefined();
  });

  it('stores an argon2id hash and never shows it', async () => {
    const res = await admin.post('/admin/auth/user/add/', {
      username: 'newbie',
      email: 'newbie@example.com',
      password1: 'a-long-unusual-passphrase',
      password2: 'a-long-unusual-passphrase',
      isActive: '1',
      isStaff: '1',
      _continue: '1',
    });
    expect(res.statusCode).toBe(303);
    const row = await findUserByUsername(t.database.db, 'newbie');
    expect(row?.password).toMatch(/^\$argon2id\$/);
    expect(row?.isStaff).toBe(true);
    const page = await admin.get(location(res));
    expect(page.body).not.toContain(row!.password);
    expect(page.body).not.toContain('$argon2');
    expect(page.body).toContain(`<a href="/admin/auth/user/${row!.id}/password/">Change password</a>`);
    await new AdminBrowser(t.app).login('newbie', 'a-long-unusual-passphrase');
  });
});

describe('changing a user', () => {
  it('sets another user’s password on its own page and ends their sessions', async () => {
    const target = await createTestUser(t.database.db, 'forgetful');
    const theirs = new AdminBrowser(t.app);
    await theirs.login('forgetful');
    const mismatch = await admin.post(`/admin/auth/user/${target.id}/password/`, {
      password1: 'new-passphrase-1',
      password2: 'nope',
    });
    expect(mismatch.body).toContain('The two password fields didn’t match.');
    const res = await admin.post(`/admin/auth/user/${target.id}/password/`, {
      password1: 'new-passphrase-1',
      password2: 'new-passphrase-1',
    });
    expect(res.statusCode).toBe(303);
    expect((await theirs.get('/admin/')).statusCode).toBe(302);
    await new AdminBrowser(t.app).login('forgetful', 'new-passphrase-1');
    expect((await admin.get(`/admin/auth/user/${target.id}/history/`)).body).toContain('Changed password.');
    expect((await admin.get('/admin/')).statusCode).toBe(200);
  });

  it('saves groups and direct permissions, and groups with their permissions', async () => {
    const viewQuestion = await permissionId('polls.view_question');
    const changeQuestion = await permissionId('polls.change_question');
    const groupPage = await admin.get('/admin/auth/group/add/');
    expect(groupPage.body).toContain('polls | question | Can change question');
    const made = await admin.post('/admin/auth/group/add/', {
      name: 'Editors',
      permissions: [viewQuestion, changeQuestion],
      _continue: '1',
    });
    expect(made.statusCode).toBe(303);
    const [group] = await q(`SELECT id FROM auth_group WHERE name = 'Editors'`);
    expect(
      await q('SELECT permission_id FROM auth_group_permissions WHERE group_id = $1 ORDER BY 1', [
        group!['id'],
      ]),
    ).toEqual(
      [viewQuestion, changeQuestion].sort((x, y) => x - y).map((permission_id) => ({ permission_id })),
    );

    const member = await createTestUser(t.database.db, 'member');
    const form = {
      username: 'member',
      email: 'member@example.com',
      isActive: '1',
      isStaff: '1',
      dateJoined: '2026-01-01T00:00',
      groups: [group!['id'] as number],
      userPermissions: [await permissionId('polls.add_choice')],
    };
    const res = await admin.post(`/admin/auth/user/${member.id}/change/`, form);
    expect(res.statusCode).toBe(303);
    expect(await userPermissionCodenames(t.database.db, member.id)).toEqual(['polls.add_choice']);
    expect(await q('SELECT group_id FROM auth_user_groups WHERE user_id = $1', [member.id])).toEqual([
      { group_id: group!['id'] },
    ]);
    const memberBrowser = new AdminBrowser(t.app);
    await memberBrowser.login('member');
    expect((await memberBrowser.get('/admin/polls/question/')).body).toContain(
      '<h1>Select question to change</h1>',
    );
    expect((await admin.get(`/admin/auth/user/${member.id}/history/`)).body).toMatch(
      /Changed [^<]*Groups and User permissions\./,
    );

    const forged = await admin.post(`/admin/auth/user/${member.id}/change/`, { ...form, groups: ['999999'] });
    expect(forged.body).toContain('One of the choices is not one of the available choices.');
  });

  it('lets only superusers grant superuser status or edit superusers', async () => {
    await createTestUser(t.database.db, 'user-manager', {
      perms: ['auth.view_user', 'auth.change_user', 'auth.add_user'],
    });
    const manager = new AdminBrowser(t.app);
    await manager.login('user-manager');
    const plain = await createTestUser(t.database.db, 'plain');
    const page = await manager.get(`/admin/auth/user/${plain.id}/change/`);
    expect(page.body).not.toContain('name="isSuperuser"');
    expect(page.body).toContain('id_isSuperuser_label');
    const res = await manager.post(`/admin/auth/user/${plain.id}/change/`, {
      username: 'plain',
      isActive: '1',
      isStaff: '1',
      isSuperuser: '1',
      dateJoined: '2026-01-01T00:00',
    });
    expect(res.statusCode).toBe(303);
    expect((await findUserByUsername(t.database.db, 'plain'))?.isSuperuser).toBe(false);
    const boss = (await findUserByUsername(t.database.db, 'admin'))!;
    expect(
      (await manager.post(`/admin/auth/user/${boss.id}/change/`, { username: 'admin', isActive: '1' }))
        .statusCode,
    ).toBe(403);
    expect(
      (
        await manager.post(`/admin/auth/user/${boss.id}/password/`, {
          password1: 'taken-over-123',
          password2: 'taken-over-123',
        })
      ).statusCode,
    ).toBe(403);
    expect((await manager.get(`/admin/auth/user/${boss.id}/change/`)).statusCode).toBe(200);
  });

  it('lists users with staff, superuser and active filters', async () => {
    const res = await admin.get('/admin/auth/user/');
    expect(res.body).toContain('<summary>By staff status</summary>');
    expect(res.body).toContain('<summary>By superuser status</summary>');
    expect(res.body).toContain('<summary>By active</summary>');
    expect(res.body).toContain('<a href="?o=email">Email</a>');
  });
});
