import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedApps } from '../../apps/installed.js';
import { createRegistry } from '../apps/registry.js';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { loadUserPermissions, permissionCodename, registryModels, syncPermissions } from './permissions.js';
import { toAuthUser } from './request-user.js';
import { group, groupPermission, permission, userGroup, userPermission } from './schema.js';
import { createUser, type UserRow } from './users.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const db = () => t.database.db;
const registry = createRegistry(installedApps);
const codenames = async () =>
  (await db().select({ codename: permission.codename }).from(permission)).map((r) => r.codename).sort();

/**
 * What the permissions must cover, read from the database rather than from the code under test:
 * every table the migrations made, except the framework's own bookkeeping, as `<app>.<model>`
 * (tables are named `<app>_<model>`).
 */
async function migratedModels(): Promise<string[]> {
  const rows = await t.database.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT LIKE 'slipway\\_%'",
  );
  return rows.map((r) => r.name.replace('_', '.')).sort();
}

describe('syncPermissions', () => {
  it('finds every migrated table of the installed apps as a model', async () => {
    const models = await migratedModels();
    expect(models).toEqual(
      expect.arrayContaining(['auth.user', 'auth.group', 'polls.question', 'polls.choice']),
    );
    expect(
      registryModels(registry)
        .map((m) => `${m.app}.${m.model}`)
        .sort(),
    ).toEqual(models);
  });

  it('has run during migrate: view/add/change/delete exist for every model', async () => {
    const expected = (await migratedModels())
      .flatMap((m) => {
        const [app, model] = m.split('.') as [string, string];
        return (['view', 'add', 'change', 'delete'] as const).map((a) => permissionCodename(app, a, model));
      })
      .sort();
    expect(await codenames()).toEqual(expected);
    expect(expected).toContain('polls.change_question');
    expect(expected).toContain('auth.view_user');
    const [row] = await db().select().from(permission).where(eq(permission.codename, 'polls.delete_choice'));
    expect(row).toMatchObject({ name: 'Can delete choice', app: 'polls', model: 'choice', action: 'delete' });
  });

  it('is idempotent, and puts a renamed permission back', async () => {
    const before = await db().select().from(permission).orderBy(permission.id);
    await db().update(permission).set({ name: 'tampered' }).where(eq(permission.codename, 'auth.view_user'));
    expect(await syncPermissions(db(), registry)).toBe(before.length);
    expect(await syncPermissions(db(), registry)).toBe(before.length);
    const after = await db().select().from(permission).orderBy(permission.id);
    // Same rows, same ids: links to groups and users survive a migrate.
    expect(after).toEqual(before);
    expect(after.find((p) => p.codename === 'auth.view_user')?.name).toBe('Can view user');
  });
});

describe('user permissions', () => {
  let frank: UserRow;
  let ids: Record<string, number>;

  beforeAll(async () => {
    frank = await createUser(db(), { username: 'frank', password: 'violet-tractor-91' });
    const rows = await db()
      .select()
      .from(permission)
      .where(
        inArray(permission.codename, ['polls.view_question', 'polls.change_question', 'polls.view_choice']),
      );
    ids = Object.fromEntries(rows.map((r) => [r.codename, r.id]));
  });

  it('a user with no grants holds nothing', async () => {
    expect(await loadUserPermissions(db(), frank.id)).toEqual(new Set());
  });

  it('unions the direct grants with those of every group, without duplicates', async () => {
    const [editors] = await db().insert(group).values({ name: 'editors' }).returning();
    const [readers] = await db().insert(group).values({ name: 'readers' }).returning();
    await db().insert(userPermission).values({ userId: frank.id, permissionId: ids['polls.view_question']! });
    await db()
      .insert(groupPermission)
      .values([
        { groupId: editors!.id, permissionId: ids['polls.change_question']! },
        { groupId: editors!.id, permissionId: ids['polls.view_question']! },
        { groupId: readers!.id, permissionId: ids['polls.view_choice']! },
      ]);
    await db()
      .insert(userGroup)
      .values([
        { userId: frank.id, groupId: editors!.id },
        { userId: frank.id, groupId: readers!.id },
      ]);
    expect([...(await loadUserPermissions(db(), frank.id))].sort()).toEqual([
      'polls.change_question',
      'polls.view_choice',
      'polls.view_question',
    ]);
  });

  it('a group grant is gone once the user leaves the group', async () => {
    await db().delete(userGroup).where(eq(userGroup.userId, frank.id));
    expect([...(await loadUserPermissions(db(), frank.id))]).toEqual(['polls.view_question']);
  });

  it('hasPerm: what is granted, all for an active superuser, nothing for an inactive user', () => {
    const granted = new Set(['polls.view_question']);
    const plain = toAuthUser(frank, granted);
    expect(plain.hasPerm('polls.view_question')).toBe(true);
    expect(plain.hasPerm('polls.change_question')).toBe(false);

    const superuser = toAuthUser({ ...frank, isSuperuser: true }, new Set());
    expect(superuser.hasPerm('polls.delete_question')).toBe(true);
    expect(superuser.hasPerm('auth.change_user')).toBe(true);

    expect(toAuthUser({ ...frank, isActive: false }, granted).hasPerm('polls.view_question')).toBe(false);
    expect(
      toAuthUser({ ...frank, isActive: false, isSuperuser: true }, granted).hasPerm('polls.view_question'),
    ).toBe(false);
  });
});
