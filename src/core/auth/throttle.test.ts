import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAuthTestApp, TestClient } from '../testing/auth-test-app.js';
import type { TestApp } from '../testing/build-test-app.js';
import { loginAttempt } from './schema.js';
import { LOGIN_LIMITS } from './throttle.js';
import { createUser } from './users.js';

let t: TestApp;
const PASSWORD = 'violet-tractor-91';

beforeAll(async () => {
  t = await buildAuthTestApp();
  for (const username of ['grace', 'heidi', 'ivan'])
    await createUser(t.database.db, { username, password: PASSWORD });
});
afterAll(() => t.close());

const THROTTLED = 'Too many failed login attempts. Try again in 15 minute(s).';

function attempt(ip: string, username: string, password: string, accept = 'application/json') {
  return new TestClient(t, { remoteAddress: ip, headers: { accept } }).post('/t/login', {
    username,
    password,
  });
}

const attemptsOf = (username: string) =>
  t.database.db
    .select()
    .from(loginAttempt)
    .where(sql`lower(${loginAttempt.username}) = lower(${username})`)
    .orderBy(loginAttempt.id);

describe('login throttling per username', () => {
  it('answers 429 after 5 failures, even to the right password, with a message', async () => {
    expect(LOGIN_LIMITS.perUsername).toBe(5);
    // Failures count whatever the case of the username and whichever address they come from.
    const names = ['grace', 'Grace', 'GRACE', 'grace', 'gRace'];
    for (const [i, name] of names.entries()) {
      const res = await attempt(`198.51.100.${i + 1}`, name, 'wrong-password-1');
      expect(res.statusCode).toBe(401);
    }
    const blocked = await attempt('198.51.100.99', 'grace', PASSWORD);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(blocked.json()).toMatchObject({ status: 429, code: 'SLIPWAY_LOGIN_THROTTLED', detail: THROTTLED });
    expect(blocked.cookies.some((c) => c.name === 'sessionid')).toBe(false);
  });

  it('shows browsers the message on a page', async () => {
    const res = await attempt('198.51.100.99', 'grace', PASSWORD, 'text/html');
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain(THROTTLED);
  });

  it('records every checked attempt with its username, address and outcome', async () => {
    const rows = await attemptsOf('grace');
    expect(rows.map((r) => [r.username, r.ip, r.succeeded])).toEqual([
      ['grace', '198.51.100.1', false],
      ['Grace', '198.51.100.2', false],
      ['GRACE', '198.51.100.3', false],
      ['grace', '198.51.100.4', false],
      ['gRace', '198.51.100.5', false],
    ]);
    for (const r of rows) expect(Date.now() - r.attemptedAt.getTime()).toBeLessThan(60_000);
  });

  it('leaves other usernames alone, from the same address', async () => {
    const res = await attempt('198.51.100.1', 'heidi', PASSWORD);
    expect(res.statusCode).toBe(200);
    const [row] = await attemptsOf('heidi');
    expect(row).toMatchObject({ ip: '198.51.100.1', succeeded: true });
  });

  it('lets the user in again once the failures are older than the window', async () => {
    await t.database.db
      .update(loginAttempt)
      .set({ attemptedAt: new Date(Date.now() - LOGIN_LIMITS.windowMs - 1000) })
      .where(and(sql`lower(${loginAttempt.username}) = 'grace'`, eq(loginAttempt.succeeded, false)));
    const res = await attempt('198.51.100.99', 'grace', PASSWORD);
    expect(res.statusCode).toBe(200);
  });
});

describe('login throttling under concurrency', () => {
  it('a burst of parallel guesses gets exactly 5 checked, the rest 429', async () => {
    await createUser(t.database.db, { username: 'judy', password: PASSWORD });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => attempt(`192.0.2.${i + 1}`, 'judy', `guess-number-${i}`)),
    );
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 401)).toHaveLength(LOGIN_LIMITS.perUsername);
    expect(codes.filter((c) => c === 429)).toHaveLength(30 - LOGIN_LIMITS.perUsername);
    // Only the checked attempts stay on record.
    expect(await attemptsOf('judy')).toHaveLength(LOGIN_LIMITS.perUsername);
    expect((await attempt('192.0.2.200', 'judy', PASSWORD)).statusCode).toBe(429);
  });
});

describe('login throttling per address', () => {
  const ATTACKER = '203.0.113.66';

  it('answers 429 after 20 failures from one address across usernames', async () => {
    expect(LOGIN_LIMITS.perIp).toBe(20);
    for (let i = 1; i <= 20; i++) {
      const res = await attempt(ATTACKER, `nobody${i}`, 'wrong-password-1');
      expect(res.statusCode).toBe(401);
    }
    const blocked = await attempt(ATTACKER, 'ivan', PASSWORD);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().detail).toBe(THROTTLED);
    const [{ n }] = (await t.database.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM auth_login_attempt WHERE ip = $1',
      [ATTACKER],
    )) as [{ n: number }];
    expect(n).toBe(20);
  });

  it('leaves other addresses alone, for the same username', async () => {
    const res = await attempt('203.0.113.67', 'ivan', PASSWORD);
    expect(res.statusCode).toBe(200);
  });
});
