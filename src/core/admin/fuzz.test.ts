import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedApps } from '../../apps/installed.js';
import { superuserClients } from '../api/testing.js';
import { createRegistry } from '../apps/registry.js';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { buildAdminSite } from './site.js';
import { AdminBrowser, createTestUser } from './testing.js';

// Property-based: every admin registration's add and change forms, changelists (search, filters,
// sorting, pages) and the polls vote form, with generated values. Whatever is sent: never a 5xx;
// an error is the HTML error page with the security headers; a form answered again (200, with
// its errors) or refused (4xx) changes nothing in the database.
// FUZZ_RUNS=2000 npx vitest run src/core/admin/fuzz.test.ts runs a larger sample.

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 25);
const TIMEOUT = 30_000 + RUNS * 300;

let t: TestApp;
let browser: AdminBrowser;
let sent = 0;
const statuses = new Map<number, number>();
const registrations = buildAdminSite(createRegistry(installedApps)).registrations;

const HOSTILE = [
  '2147483648',
  '-2147483649',
  '9223372036854775808',
  '99999999999999999999',
  '1e308',
  'a\u0000b',
  '\u0000',
  '0000-01-01',
  '2026-02-30',
  '0000-01-01T00:00',
  '9999-12-31T23:59:59.999999',
  '10000-01-01',
  '',
  ' ',
  'x'.repeat(3000),
  '\uD800',
  '%FF',
  '-1',
  '0',
  '1',
  'on',
  '{"a":"\\u0000"}',
  '<script>alert(1)</script>',
];
const text = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE), weight: 3 },
  { arbitrary: fc.string({ maxLength: 30 }), weight: 2 },
  { arbitrary: fc.integer({ min: -5, max: 2 ** 31 + 5 }).map(String), weight: 1 },
);

/** The names and values of a page's form inputs (what a browser would send back). */
function formFields(html: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const m of html.matchAll(/<(input|select|textarea)\b[^>]*\bname="([^"]+)"[^>]*>/g)) {
    const value = /\bvalue="([^"]*)"/.exec(m[0])?.[1] ?? '';
    if (!fields.has(m[2]!)) fields.set(m[2]!, value.replaceAll('&amp;', '&').replaceAll('&quot;', '"'));
  }
  fields.delete('csrf_token');
  return fields;
}

async function fingerprint(): Promise<string> {
  const tables = await t.database.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
       AND table_name NOT IN ('auth_session', 'auth_login_attempt', 'api_token', 'slipway_migrations', 'slipway_deleted_media')
     ORDER BY table_name`,
  );
  const parts = tables.map(
    (r) => `(SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM "${r.table_name}" x)`,
  );
  const [row] = await t.database.query<{ f: string }>(`SELECT md5(${parts.join(' || ')}) AS f`);
  return row!.f;
}

function expectAppAnswer(res: LightMyRequestResponse, label: string): void {
  sent++;
  statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
  expect(res.statusCode, `${label} -> ${res.body.slice(0, 800)}`).toBeLessThan(500);
  expect(res.headers['x-content-type-options'], label).toBe('nosniff');
  expect(String(res.headers['content-security-policy']), label).toContain("default-src 'self'");
  expect(res.headers['x-request-id'], label).toBeTruthy();
  if (res.statusCode >= 400) {
    expect(res.headers['content-type'], label).toContain('text/html');
    // The framework's error page; the polls pages have their own 404 page in their shell.
    if (!label.includes(' /polls/')) expect(res.body, label).toContain(`<h1>${res.statusCode} `);
  }
}

let known = '';

async function post(url: string, form: Record<string, string>): Promise<void> {
  const res = await browser.post(url, form);
  const label = `POST ${url} ${JSON.stringify(form).slice(0, 400)}`;
  expectAppAnswer(res, label);
  // A form answered again with its errors, or refused, saved nothing. (A 200 without errors is a
  // success too: the token form shows the new key on the page.)
  const refused = res.statusCode >= 400 || (res.statusCode === 200 && res.body.includes('class="errornote"'));
  if (refused) expect(await fingerprint(), `${label} changed the database`).toBe(known);
  else known = await fingerprint();
  await signInAgainIfLocked(res);
}

let admins = 0;

/** A generated form may take the admin's own rights or password away: sign in as another one. */
async function signInAgainIfLocked(res: LightMyRequestResponse): Promise<void> {
  const locked = res.statusCode === 403 || String(res.headers['location'] ?? '').startsWith('/admin/login/');
  if (!locked) return;
  const name = `fuzzadmin${++admins}`;
  await createTestUser(t.database.db, name, { superuser: true });
  browser = new AdminBrowser(t.app);
  await browser.login(name);
  known = await fingerprint();
}

beforeAll(async () => {
  t = await buildTestApp();
  ({ browser } = await superuserClients(t.app, t.database.db));
  await t.database.query(
    `INSERT INTO polls_question (question_text, pub_date) VALUES ('Tea?', '2026-01-01T00:00:00Z')`,
  );
  await t.database.query(
    `INSERT INTO polls_choice (question_id, choice_text) SELECT id, c FROM polls_question, unnest(ARRAY['Yes', 'No']) c`,
  );
  known = await fingerprint();
});
afterAll(async () => {
  console.info(`admin fuzz: ${sent} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  await t.close();
});

describe('generated admin requests', () => {
  it(
    'changelists: any search, filter, order and page',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...registrations),
          fc.array(
            fc.tuple(
              fc.oneof(
                fc.constantFrom('q', 'o', 'p', 'e', '_popup'),
                fc.constantFrom(
                  ...registrations.flatMap((r) =>
                    r.filterFields.flatMap((f) => [
                      `${f.key}__gte`,
                      `${f.key}__lt`,
                      `${f.key}__exact`,
                      `${f.key}__id__exact`,
                      `${f.key}__isnull`,
                    ]),
                  ),
                ),
              ),
              text,
            ),
            { maxLength: 4 },
          ),
          async (reg, params) => {
            const query = new URLSearchParams(params).toString();
            const url = `${reg.url}${query ? `?${query}` : ''}`;
            const res = await browser.get(url);
            expectAppAnswer(res, `GET ${url}`);
            await signInAgainIfLocked(res);
          },
        ),
        { numRuns: RUNS * 2 },
      );
    },
    TIMEOUT,
  );

  it(
    'add and change forms: any value in any field',
    async () => {
      const pages = new Map<string, Map<string, string>>();
      const forms: string[] = [];
      for (const reg of registrations) {
        forms.push(`${reg.url}add/`);
        const [first] = (await t.database.query<{ id: unknown }>(
          `SELECT ${reg.pk.name} AS id FROM "${reg.meta.tableName}" ORDER BY 1 LIMIT 1`,
        )) as { id: unknown }[];
        if (first) forms.push(`${reg.url}${first.id}/change/`);
      }
      for (const url of forms) {
        const page = await browser.get(url);
        if (page.statusCode === 200) pages.set(url, formFields(page.body));
      }
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...pages.keys()).chain((url) => {
            const fields = [...pages.get(url)!.keys()];
            return fc.tuple(
              fc.constant(url),
              fc.dictionary(fc.constantFrom(...fields), text, { maxKeys: 4 }),
            );
          }),
          async ([url, changes]) => post(url, { ...Object.fromEntries(pages.get(url)!), ...changes }),
        ),
        { numRuns: RUNS * 3 },
      );
    },
    TIMEOUT,
  );

  it(
    'the vote form and object pages: any id and choice',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...HOSTILE, '1', '2'), text, async (id, choice) => {
          const url = `/polls/${encodeURIComponent(id.replace(/[\uD800-\uDFFF]/g, '?'))}/vote/`;
          const res = await browser.post(url, { choice });
          expectAppAnswer(res, `POST ${url} choice=${JSON.stringify(choice)}`);
          if (res.statusCode !== 303) expect(await fingerprint()).toBe(known);
          else known = await fingerprint();
          const page = `${registrations[0]!.url}${encodeURIComponent(id.replace(/[\uD800-\uDFFF]/g, '?'))}/change/`;
          const shown = await browser.get(page);
          expectAppAnswer(shown, `GET ${page}`);
          await signInAgainIfLocked(shown);
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );
});
