import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorsByField, messagesFor } from '../errors.js';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { ValidationError } from './errors.js';
import { verifyPassword } from './passwords.js';
import { session, user } from './schema.js';
import { createSession } from './sessions.js';
import { createUser, findUserByUsername, setPassword } from './users.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const db = () => t.database.db;
const PASSWORD = 'violet-tractor-91';

/** The ValidationError `fn` throws (failing the test when it throws nothing else). */
async function validationError(fn: () => Promise<unknown>): Promise<ValidationError> {
  const error = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe('createUser', () => {
  it('stores a hashed password and the defaults of a plain account', async () => {
    const row = await createUser(db(), { username: 'alice', email: 'alice@example.com', password: PASSWORD });
    expect(row).toMatchObject({ username: 'alice', isActive: true, isStaff: false, isSuperuser: false });
    expect(row.password).toMatch(/^\$argon2id\$/);
    expect(row.dateJoined).toBeInstanceOf(Date);
    expect(row.lastLogin).toBeNull();
    expect(await verifyPassword(row.password, PASSWORD)).toBe(true);
  });

  it('refuses a username with characters outside letters, digits and @.+-_', async () => {
    const error = await validationError(() =>
      createUser(db(), { username: 'bad name!', password: PASSWORD }),
    );
    expect(error.status).toBe(422);
    expect(errorsByField(error.errors)).toEqual({
      username: ['Enter a username of up to 150 letters, digits and @/./+/-/_ characters.'],
    });
    expect(error.message).toBe(
      'username: Enter a username of up to 150 letters, digits and @/./+/-/_ characters.',
    );
    expect(await findUserByUsername(db(), 'bad name!')).toBeUndefined();
  });

  it('refuses a username already taken, whatever its case', async () => {
    const error = await validationError(() => createUser(db(), { username: 'ALICE', password: PASSWORD }));
    expect(errorsByField(error.errors)).toEqual({
      username: ['A user with the username "ALICE" already exists.'],
    });
    const [{ n }] = (await t.database.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM auth_user WHERE lower(username) = 'alice'",
    )) as [{ n: number }];
    expect(n).toBe(1);
  });

  it('relies on the database too: a concurrent duplicate hits the lower(username) unique index', async () => {
    const error = await db()
      .insert(user)
      .values({ username: 'Alice', password: 'x' })
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect((error?.cause as { code?: string } | undefined)?.code).toBe('23505');
    expect(String((error?.cause as Error | undefined)?.message)).toContain('auth_user_username_lower_key');
  });

  it('refuses a malformed e-mail address, naming the field', async () => {
    const error = await validationError(() =>
      createUser(db(), { username: 'bob', email: 'bob@localhost', password: PASSWORD }),
    );
    expect(errorsByField(error.errors)).toEqual({ email: ['Enter a valid email address.'] });
  });

  it('reports every bad field at once, with the password validators', async () => {
    const error = await validationError(() =>
      createUser(db(), { username: 'carol', email: 'not-an-email', password: 'carol123' }),
    );
    expect(errorsByField(error.errors)).toEqual({
      email: ['Enter a valid email address.'],
      password: ['The password is too similar to the username.'],
    });
  });

  it('finds users case-insensitively', async () => {
    expect((await findUserByUsername(db(), 'AlIcE'))?.username).toBe('alice');
  });
});

describe('setPassword', () => {
  it("changes the hash and ends every session of that user, and only that user's", async () => {
    const dave = await createUser(db(), { username: 'dave', password: PASSWORD });
    const erin = await createUser(db(), { username: 'erin', password: PASSWORD });
    const maxAgeMs = 60_000;
    await createSession(db(), { userId: dave.id, maxAgeMs });
    await createSession(db(), { userId: dave.id, maxAgeMs });
    await createSession(db(), { userId: erin.id, maxAgeMs });
    const sessionsOf = async (id: number) =>
      (await db().select().from(session).where(eq(session.userId, id))).length;
    expect(await sessionsOf(dave.id)).toBe(2);

    await setPassword(db(), dave, 'saffron-kettle-27');

    expect(await sessionsOf(dave.id)).toBe(0);
    expect(await sessionsOf(erin.id)).toBe(1);
    const stored = await findUserByUsername(db(), 'dave');
    expect(await verifyPassword(stored!.password, 'saffron-kettle-27')).toBe(true);
    expect(await verifyPassword(stored!.password, PASSWORD)).toBe(false);
  });

  it('refuses a weak password and keeps the old one and the sessions', async () => {
    const erin = (await findUserByUsername(db(), 'erin'))!;
    const error = await validationError(() => setPassword(db(), erin, 'erin2024'));
    expect(messagesFor(error.errors, 'password')).toEqual(['The password is too similar to the username.']);
    const stored = await findUserByUsername(db(), 'erin');
    expect(stored!.password).toBe(erin.password);
    expect(await db().select().from(session).where(eq(session.userId, erin.id))).toHaveLength(1);
  });
});
