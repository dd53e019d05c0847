import { sql } from 'drizzle-orm';
import { check, integer, pgTable, serial, varchar } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { question } from '../../apps/polls/schema.js';
import { defineApp } from '../apps/define-app.js';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { ApiClient, pollsApps, userWithToken } from './testing.js';

// A table with a unique column, a check constraint and a RESTRICT foreign key, to see what the
// API makes of the database's refusals: 409 for clashes with other rows, 422 for bad values.
const gadget = pgTable(
  'apitest_gadget',
  {
    id: serial('id').primaryKey(),
    name: varchar('name', { length: 50 }).notNull().unique(),
    price: integer('price').notNull().default(0),
    questionId: integer('question_id').references(() => question.id, { onDelete: 'restrict' }),
  },
  (t) => [check('apitest_gadget_price_check', sql`${t.price} >= 0`)],
);
const gadgetApp = defineApp({
  name: 'apitest',
  label: 'API test',
  schema: { gadget },
  admin: (site) => site.register(gadget, { str: (g) => g.name, list: ['name', 'price'], search: ['name'] }),
});

let t: TestApp;
let api: ApiClient;
const GADGETS = '/api/v1/apitest/gadget/';

beforeAll(async () => {
  t = await buildTestApp({ apps: [...pollsApps, gadgetApp] });
  await t.database.query(`CREATE TABLE apitest_gadget (
    id serial PRIMARY KEY,
    name varchar(50) NOT NULL CONSTRAINT apitest_gadget_name_unique UNIQUE,
    price integer NOT NULL DEFAULT 0 CONSTRAINT apitest_gadget_price_check CHECK (price >= 0),
    question_id integer REFERENCES polls_question (id) ON DELETE RESTRICT)`);
  const { key } = await userWithToken(t.database.db, 'root', [], { superuser: true });
  api = new ApiClient(t.app, { token: key });
});
afterAll(() => t.close());

describe('database refusals', () => {
  it('answers 409 with the field for a duplicate, on create and on change', async () => {
    expect((await api.post(GADGETS, { name: 'Sprocket' })).statusCode).toBe(201);
    const duplicate = await api.post(GADGETS, { name: 'Sprocket' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.headers['content-type']).toContain('application/problem+json');
    expect(duplicate.json()).toMatchObject({
      type: '/api/docs#problem-conflict',
      title: 'Conflict',
      status: 409,
      errors: [{ field: 'name', message: 'Gadget with this Name already exists.' }],
    });
    const other = (await api.post(GADGETS, { name: 'Gear' })).json();
    const renamed = await api.patch(`${GADGETS}${other.id}/`, { name: 'Sprocket' });
    expect(renamed.statusCode).toBe(409);
    expect(renamed.json().errors).toEqual([
      { field: 'name', message: 'Gadget with this Name already exists.' },
    ]);
  });

  it('answers 422 naming the rule for a check constraint', async () => {
    const res = await api.post(GADGETS, { name: 'Bargain', price: -1 });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { field: 'price', message: 'This value does not satisfy the rule “apitest_gadget_price_check”.' },
    ]);
  });

  it('answers 409 when other objects protect the one being deleted, and deletes nothing', async () => {
    const [q] = await t.database.query<{ id: number }>(
      `INSERT INTO polls_question (question_text, pub_date) VALUES ('Protected?', now()) RETURNING id`,
    );
    expect((await api.post(GADGETS, { name: 'Anchor', questionId: q!.id })).statusCode).toBe(201);
    const res = await api.delete(`/api/v1/polls/question/${q!.id}/`);
    expect(res.statusCode).toBe(409);
    expect(res.json().errors).toEqual([
      {
        field: null,
        message:
          'Cannot delete the question “Protected?”: these objects refer to it and are protected: Gadget “Anchor”.',
      },
    ]);
    expect((await api.get(`/api/v1/polls/question/${q!.id}/`)).statusCode).toBe(200);
  });
});
