import { eq, inArray } from 'drizzle-orm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { permission, userPermission } from '../auth/schema.js';
import { createSession } from '../auth/sessions.js';
import { createUser, type UserRow } from '../auth/users.js';
import type { AppDb } from '../db/database.js';

/** A password the validators accept, for test users. */
export const TEST_PASSWORD = 'correct-horse-battery-staple';

/**
 * Creates a user for admin tests: staff by default, with the given permission codenames held
 * directly (e.g. `['polls.view_question']`).
 *
 * @example
 *   await createTestUser(t.database.db, 'viewer', { perms: ['polls.view_question'] });
 */
export async function createTestUser(
  db: AppDb,
  username: string,
  options: {
    superuser?: boolean;
    staff?: boolean;
    active?: boolean;
    perms?: readonly string[];
    password?: string;
  } = {},
): Promise<UserRow> {
  const row = await createUser(db, {
    username,
    email: `${username}@example.com`,
    password: options.password ?? TEST_PASSWORD,
    isStaff: options.staff ?? true,
    isSuperuser: options.superuser ?? false,
    isActive: options.active ?? true,
  });
  const perms = options.perms ?? [];
  if (perms.length > 0) {
    const found = await db
      .select()
      .from(permission)
      .where(inArray(permission.codename, [...perms]));
    const missing = perms.filter((p) => !found.some((f) => f.codename === p));
    if (missing.length > 0) throw new Error(`unknown permissions: ${missing.join(', ')}`);
    await db.insert(userPermission).values(found.map((p) => ({ userId: row.id, permissionId: p.id })));
  }
  return row;
}

/** The users' direct permission rows (for assertions). */
export async function userPermissionCodenames(db: AppDb, userId: number): Promise<string[]> {
  const rows = await db
    .select({ codename: permission.codename })
    .from(userPermission)
    .innerJoin(permission, eq(permission.id, userPermission.permissionId))
    .where(eq(userPermission.userId, userId));
  return rows.map((r) => r.codename).sort();
}

export type Form = Record<string, string | number | boolean | readonly (string | number)[] | undefined>;

/**
 * A browser-like client over `app.inject()`: keeps cookies, sends the CSRF token with every form,
 * and logs in through the admin's login form.
 *
 * @example
 *   const browser = new AdminBrowser(t.app);
 *   await browser.login('admin');
 *   const res = await browser.get('/admin/polls/question/');
 */
export class AdminBrowser {
  readonly cookies = new Map<string, string>();

  constructor(private readonly app: FastifyInstance) {}

  /** The CSRF token a form would carry (fetches a page first when there is no cookie yet). */
  async csrfToken(): Promise<string> {
    if (!this.cookies.has('csrftoken')) await this.get('/admin/login/');
    return this.cookies.get('csrftoken')!;
  }

  get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.request('GET', url, undefined, headers);
  }

  /** Posts a form; the CSRF token is added unless `csrf: false` (or the form sets its own). */
  async post(
    url: string,
    form: Form = {},
    options: { csrf?: boolean } = {},
  ): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    if (options.csrf !== false && form['csrf_token'] === undefined)
      body.append('csrf_token', await this.csrfToken());
    for (const [key, value] of Object.entries(form)) {
      if (value === undefined || value === false) continue;
      if (Array.isArray(value)) for (const v of value) body.append(key, String(v));
      else body.append(key, value === true ? 'on' : String(value));
    }
    return this.request('POST', url, body.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
  }

  /**
   * Signs a user in without the login form (which refuses non-staff users), as the site's own
   * login page would: a session row and its cookie.
   */
  async signInDirectly(db: AppDb, userId: number): Promise<void> {
    const { token } = await createSession(db, { userId, maxAgeMs: 3_600_000 });
    this.cookies.set('sessionid', token);
  }

  /** Logs in through /admin/login/ and checks that it worked. */
  async login(username: string, password = TEST_PASSWORD): Promise<void> {
    const res = await this.post('/admin/login/', { username, password, next: '/admin/' });
    if (res.statusCode !== 303)
      throw new Error(`login as ${username} failed: ${res.statusCode}\n${res.body.slice(0, 2000)}`);
  }

  private async request(
    method: 'GET' | 'POST',
    url: string,
    payload: string | undefined,
    headers: Record<string, string>,
  ) {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await this.app.inject({
      method,
      url,
      headers: { host: 'localhost', accept: 'text/html', ...(cookie ? { cookie } : {}), ...headers },
      ...(payload !== undefined ? { payload } : {}),
    });
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired = c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now()) || c.value === '';
      if (expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }
}

/** The `Location` header of a redirect, for assertions. */
export function location(res: LightMyRequestResponse): string {
  return String(res.headers['location'] ?? '');
}
