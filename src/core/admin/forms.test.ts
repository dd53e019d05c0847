import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { AdminBrowser, createTestUser, location } from './testing.js';

let t: TestApp;
let browser: AdminBrowser;

const q = async (sql: string, params: unknown[] = []) =>
  t.database.query<Record<string, unknown>>(sql, params);

/** The add/change form of a question with its choice inline rows. */
function questionForm(
  fields: { questionText?: string; pubDate?: string },
  choices: { id?: number; text?: string; votes?: number | string; delete?: boolean }[],
  extra: Record<string, string> = {},
) {
  const form: Record<string, string | number | boolean | undefined> = {
    questionText: fields.questionText ?? 'What is up?',
    pubDate: fields.pubDate ?? '2026-03-01T12:30',
    'choice_set-TOTAL_FORMS': choices.length,
    'choice_set-INITIAL_FORMS': choices.filter((c) => c.id).length,
    ...extra,
  };
  choices.forEach((c, i) => {
    form[`choice_set-${i}-id`] = c.id ?? '';
    form[`choice_set-${i}-choiceText`] = c.text ?? '';
    form[`choice_set-${i}-votes`] = c.votes ?? 0;
    form[`choice_set-${i}-DELETE`] = c.delete;
  });
  return form;
}

async function addQuestion(text: string, choices: string[]): Promise<number> {
  const res = await browser.post(
    '/admin/polls/question/add/',
    questionForm(
      { questionText: text },
      choices.map((c) => ({ text: c })),
      { _continue: '1' },
    ),
  );
  expect(res.statusCode).toBe(303);
  return Number(location(res).split('/')[4]);
}

beforeAll(async () => {
  t = await buildTestApp();
  await createTestUser(t.database.db, 'admin', { superuser: true });
  browser = new AdminBrowser(t.app);
  await browser.login('admin');
});
afterAll(() => t.close());

describe('the add form', () => {
  it('chooses widgets from the column types, with labels tied to inputs', async () => {
    const res = await browser.get('/admin/polls/question/add/');
    expect(res.body).toContain('<label for="id_questionText" class="required">Question text');
    expect(res.body).toMatch(
      /<input type="text" name="questionText" id="id_questionText" required value="" maxlength="200"/,
    );
    expect(res.body).toContain(
      '<input type="datetime-local" step="1" name="pubDate" id="id_pubDate" required value="">',
    );
    expect(res.body).toContain('<legend>Date information</legend>');
    expect(res.body).toContain('name="choice_set-TOTAL_FORMS" value="3"');
    expect(res.body).toContain(
      '<input type="number" step="1" name="choice_set-0-votes" id="id_choice_set-0-votes"',
    );
    expect(res.body).toContain('name="_save"');
    expect(res.body).toContain('name="_continue"');
    expect(res.body).toContain('name="_addanother"');
  });

  it('creates a question with three choices in one save, and logs it', async () => {
    const res = await browser.post(
      '/admin/polls/question/add/',
      questionForm({ questionText: 'Best colour?' }, [
        { text: 'Red' },
        { text: 'Green', votes: 2 },
        { text: 'Blue' },
      ]),
    );
    expect(res.statusCode).toBe(303);
    expect(location(res)).toBe('/admin/polls/question/');
    const [question] = await q(
      `SELECT id, pub_date FROM polls_question WHERE question_text = 'Best colour?'`,
    );
    expect((question!['pub_date'] as Date).toISOString()).toBe('2026-03-01T12:30:00.000Z');
    const choices = await q(
      'SELECT choice_text, votes FROM polls_choice WHERE question_id = $1 ORDER BY id',
      [question!['id']],
    );
    expect(choices).toEqual([
      { choice_text: 'Red', votes: 0 },
      { choice_text: 'Green', votes: 2 },
      { choice_text: 'Blue', votes: 0 },
    ]);
    const list = await browser.get('/admin/polls/question/');
    expect(list.body).toContain('The question “Best colour?” was added successfully.');
    const [log] = await q(
      `SELECT action, object_repr, change_message FROM admin_log_entry WHERE object_id = $1`,
      [String(question!['id'])],
    );
    expect(log).toMatchObject({ action: 'add', object_repr: 'Best colour?' });
    expect(log!['change_message']).toEqual([
      { added: {} },
      { added: { name: 'choice', object: 'Red' } },
      { added: { name: 'choice', object: 'Green' } },
      { added: { name: 'choice', object: 'Blue' } },
    ]);
  });

  it('shows each error next to its field and keeps what was typed', async () => {
    const res = await browser.post(
      '/admin/polls/question/add/',
      questionForm({ questionText: '', pubDate: '2026-02-30T10:00' }, [
        { text: 'Kept <choice>', votes: 'many' },
      ]),
    );
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<p>Please correct the errors below.</p>');
    expect(res.body).toContain('aria-describedby="id_questionText_error" aria-invalid="true"');
    expect(res.body).toContain(
      '<ul class="errorlist" id="id_questionText_error"><li>This field is required.</li></ul>',
    );
    expect(res.body).toContain(
      '<ul class="errorlist" id="id_pubDate_error"><li>Enter a valid date/time.</li></ul>',
    );
    expect(res.body).toContain('value="2026-02-30T10:00"');
    expect(res.body).toContain('value="Kept &lt;choice&gt;"');
    expect(res.body).toContain(
      '<ul class="errorlist" id="id_choice_set-0-votes_error"><li>Enter a whole number.</li></ul>',
    );
    expect(
      (await q(`SELECT count(*)::int AS n FROM polls_choice WHERE choice_text = 'Kept <choice>'`))[0]!['n'],
    ).toBe(0);
  });

  it('refuses text longer than the column', async () => {
    const res = await browser.post(
      '/admin/polls/question/add/',
      questionForm({ questionText: 'x'.repeat(201) }, []),
    );
    expect(res.body).toContain('Ensure this value has at most 200 characters (it has 201).');
  });

  it('"Save and add another" and "Save and continue editing" go where they say', async () => {
    const another = await browser.post(
      '/admin/polls/question/add/',
      questionForm({ questionText: 'Another?' }, [], { _addanother: '1' }),
    );
    expect(location(another)).toBe('/admin/polls/question/add/');
    expect((await browser.get('/admin/polls/question/add/')).body).toContain(
      'You may add another question below.',
    );
    const id = await addQuestion('Continue?', []);
    expect((await browser.get(`/admin/polls/question/${id}/change/`)).body).toContain(
      'You may edit it again below.',
    );
  });
});

describe('inlines', () => {
  it('adds, changes and deletes choices in the same save, and logs each change', async () => {
    const id = await addQuestion('Edit my choices', ['Keep', 'Rename', 'Remove']);
    const rows = await q('SELECT id, choice_text FROM polls_choice WHERE question_id = $1 ORDER BY id', [id]);
    const [keep, rename, remove] = rows.map((r) => r['id'] as number);
    const page = await browser.get(`/admin/polls/question/${id}/change/`);
    expect(page.body).toContain(`<input type="hidden" name="choice_set-0-id" value="${keep}">`);
    expect(page.body).toContain('name="choice_set-TOTAL_FORMS" value="6"');
    expect(page.body).toContain(
      '<label for="id_choice_set-2-DELETE" class="sr-only">Delete choice 3</label>',
    );
    const res = await browser.post(
      `/admin/polls/question/${id}/change/`,
      questionForm({ questionText: 'Edited choices' }, [
        { id: keep, text: 'Keep' },
        { id: rename, text: 'Renamed', votes: 5 },
        { id: remove, text: 'Remove', delete: true },
        { text: 'Added' },
        { text: '' },
      ]),
    );
    expect(res.statusCode).toBe(303);
    expect(
      await q('SELECT choice_text, votes FROM polls_choice WHERE question_id = $1 ORDER BY id', [id]),
    ).toEqual([
      { choice_text: 'Keep', votes: 0 },
      { choice_text: 'Renamed', votes: 5 },
      { choice_text: 'Added', votes: 0 },
    ]);
    const history = await browser.get(`/admin/polls/question/${id}/history/`);
    expect(history.body).toContain(
      'Changed Question text. Changed Choice text and Votes for choice “Renamed”. Deleted choice “Remove”. Added choice “Added”.',
    );
  });

  it('rolls back the parent’s change when an inline row is invalid', async () => {
    const id = await addQuestion('Stays as is', ['One']);
    const res = await browser.post(
      `/admin/polls/question/${id}/change/`,
      questionForm({ questionText: 'Changed?' }, [{ text: '', votes: 3 }]),
    );
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(
      '<ul class="errorlist" id="id_choice_set-0-choiceText_error"><li>This field is required.</li></ul>',
    );
    expect(
      (await q('SELECT question_text FROM polls_question WHERE id = $1', [id]))[0]!['question_text'],
    ).toBe('Stays as is');
  });

  it('rolls back everything when the database refuses one inline row, showing the error on that row', async () => {
    await t.database.exec(
      'CREATE UNIQUE INDEX test_choice_unique ON polls_choice (question_id, choice_text)',
    );
    try {
      const id = await addQuestion('Unique choices', ['Same']);
      const res = await browser.post(
        `/admin/polls/question/${id}/change/`,
        questionForm({ questionText: 'Renamed while failing' }, [{ text: 'Fresh' }, { text: 'Same' }]),
      );
      expect(res.statusCode).toBe(200);
      // One banner, saying that nothing was saved; the row says why.
      expect(res.body).toContain(
        '<div class="errornote" role="alert" tabindex="-1" id="form-errors"><p>Please correct the error below. Nothing was saved.</p></div>',
      );
      expect(res.body.match(/Please correct/g)).toHaveLength(1);
      expect(res.body).toMatch(
        /<tr class="row-errors"><td colspan="4"><ul class="errorlist" id="choice_set-1-errors"><li>Choice with this (Question and Choice text|these values) already exists.<\/li>/,
      );
      expect(
        (await q('SELECT question_text FROM polls_question WHERE id = $1', [id]))[0]!['question_text'],
      ).toBe('Unique choices');
      expect(await q('SELECT choice_text FROM polls_choice WHERE question_id = $1', [id])).toEqual([
        { choice_text: 'Same' },
      ]);
    } finally {
      await t.database.exec('DROP INDEX test_choice_unique');
    }
  });

  it('refuses a child id that belongs to another question', async () => {
    const a = await addQuestion('Owner A', ['A1']);
    const b = await addQuestion('Owner B', ['B1']);
    const [other] = await q('SELECT id FROM polls_choice WHERE question_id = $1', [a]);
    const res = await browser.post(
      `/admin/polls/question/${b}/change/`,
      questionForm({ questionText: 'Owner B' }, [{ id: other!['id'] as number, text: 'stolen' }]),
    );
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('that choice does not belong to this object');
    expect(
      (await q('SELECT choice_text FROM polls_choice WHERE id = $1', [other!['id']]))[0]!['choice_text'],
    ).toBe('A1');
  });
});

describe('database constraint errors become form errors', () => {
  it('a duplicate username (unique) is shown on the username field', async () => {
    await createTestUser(t.database.db, 'taken');
    const res = await browser.post('/admin/auth/user/add/', {
      username: 'TAKEN',
      password1: 'a-long-unusual-passphrase',
      password2: 'a-long-unusual-passphrase',
      isActive: '1',
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(
      '<ul class="errorlist" id="id_username_error"><li>User with this Username already exists.</li></ul>',
    );
    expect(res.body).toContain('<p>Please correct the error below. Nothing was saved.</p>');
  });

  it('a missing related object (foreign key) is shown on its field', async () => {
    const res = await browser.post('/admin/polls/choice/add/', {
      questionId: '999999',
      choiceText: 'Orphan',
      votes: '0',
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(
      '<ul class="errorlist" id="id_questionId_error"><li>Select a valid choice. That choice is not one of the available choices.</li></ul>',
    );
  });

  it('a check constraint is shown on the field it names', async () => {
    await t.database.exec(
      'ALTER TABLE polls_choice ADD CONSTRAINT polls_choice_votes_check CHECK (votes >= 0)',
    );
    try {
      const id = await addQuestion('Checked', []);
      const res = await browser.post('/admin/polls/choice/add/', {
        questionId: String(id),
        choiceText: 'Negative',
        votes: '-1',
      });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain(
        '<ul class="errorlist" id="id_votes_error"><li>This value does not satisfy the rule “polls_choice_votes_check”.</li></ul>',
      );
    } finally {
      await t.database.exec('ALTER TABLE polls_choice DROP CONSTRAINT polls_choice_votes_check');
    }
  });

  it('a NOT NULL violation is shown on its field', async () => {
    await t.database.exec('ALTER TABLE polls_choice ALTER COLUMN votes DROP DEFAULT');
    try {
      const id = await addQuestion('Not null', []);
      const res = await browser.post('/admin/polls/choice/add/', {
        questionId: String(id),
        choiceText: 'No votes',
        votes: '',
      });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain(
        '<ul class="errorlist" id="id_votes_error"><li>This field is required.</li></ul>',
      );
    } finally {
      await t.database.exec('ALTER TABLE polls_choice ALTER COLUMN votes SET DEFAULT 0');
    }
  });
});

describe('history', () => {
  it('records who changed which fields, and the index lists my recent actions', async () => {
    const id = await addQuestion('History <b>me</b>', []);
    await browser.post(
      `/admin/polls/question/${id}/change/`,
      questionForm({ questionText: 'History <b>me</b>', pubDate: '2026-04-01T00:00' }, []),
    );
    const res = await browser.get(`/admin/polls/question/${id}/history/`);
    expect(res.body).toContain('<h1>Change history: History &lt;b&gt;me&lt;/b&gt;</h1>');
    expect(res.body).toContain('<td>admin</td>\n<td>Added.</td>');
    expect(res.body).toContain('<td>Changed Date published.</td>');
    const index = await browser.get('/admin/');
    expect(index.body).toContain(
      `<a href="/admin/polls/question/${id}/change/">History &lt;b&gt;me&lt;/b&gt;</a>`,
    );
  });

  it('does not log a save that changed nothing', async () => {
    const id = await addQuestion('Unchanged', []);
    await browser.post(
      `/admin/polls/question/${id}/change/`,
      questionForm({ questionText: 'Unchanged' }, []),
    );
    const logs = await q('SELECT action FROM admin_log_entry WHERE object_id = $1 AND model = $2', [
      String(id),
      'question',
    ]);
    expect(logs.map((l) => l['action'])).toEqual(['add']);
  });
});
