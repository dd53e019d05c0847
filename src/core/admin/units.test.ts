import { describe, expect, it } from 'vitest';
import { wasPublishedRecently } from '../../apps/polls/admin.js';
import { question } from '../../apps/polls/schema.js';
import { user } from '../auth/schema.js';
import { NO_CHECK_RULES } from '../db/check-rules.js';
import { describeTable } from '../models/fields.js';
import { escapeLike } from '../models/search.js';
import { parseField } from '../models/values.js';
import { humanize, pluralize, withArticle } from '../text.js';
import { safeNext, withParams } from './query-string.js';
import { pageWindow } from './templates/changelist-page.js';

describe('helpers', () => {
  it('escapes LIKE wildcards and the escape character itself', () => {
    expect(escapeLike('50%_a\\b')).toBe('50\\%\\_a\\\\b');
  });

  it('accepts only same-site paths as next', () => {
    expect(safeNext('/admin/polls/')).toBe('/admin/polls/');
    for (const bad of [
      '//evil.example',
      'https://evil.example',
      '/\\evil.example',
      'evil',
      '/x\r\nSet-Cookie: a=b',
      undefined,
    ])
      expect(safeNext(bad)).toBe('/admin/');
  });

  it('changes one query parameter, keeping the others', () => {
    expect(withParams(new URLSearchParams('q=a&p=3'), { p: null, o: '-pubDate' })).toBe('?q=a&o=-pubDate');
    expect(withParams(new URLSearchParams(''), { p: null })).toBe('');
  });

  it('shows page numbers around the current page with gaps', () => {
    expect(pageWindow(1, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(pageWindow(50, 100)).toEqual([1, 2, null, 47, 48, 49, 50, 51, 52, 53, null, 99, 100]);
  });

  it('names columns and models like Django', () => {
    expect(humanize('questionText')).toBe('Question text');
    expect(pluralize('Category')).toBe('Categories');
    expect(pluralize('Choice')).toBe('Choices');
  });

  it('puts "a" or "an" before a noun as it sounds', () => {
    expect(['address', 'attachment', 'e-mail address', 'hour', 'image'].map(withArticle)).toEqual([
      'an address',
      'an attachment',
      'an e-mail address',
      'an hour',
      'an image',
    ]);
    expect(['person', 'user', 'unit', 'one-off', 'telephone'].map(withArticle)).toEqual([
      'a person',
      'a user',
      'a unit',
      'a one-off',
      'a telephone',
    ]);
  });

  it('knows "published recently" is the last day and not the future', () => {
    const now = new Date('2026-05-01T12:00:00Z');
    expect(wasPublishedRecently(new Date('2026-05-01T00:00:00Z'), now)).toBe(true);
    expect(wasPublishedRecently(new Date('2026-04-30T11:59:59Z'), now)).toBe(false);
    expect(wasPublishedRecently(new Date('2026-05-01T12:00:01Z'), now)).toBe(false);
  });
});

describe('parsing form values by column type', () => {
  const q = describeTable(question);
  const u = describeTable(user);
  it('trims text and requires NOT NULL columns without a default', () => {
    expect(parseField(q.field('questionText')!, '  Hi ', 'add', NO_CHECK_RULES)).toEqual({
      ok: true,
      value: 'Hi',
    });
    expect(parseField(q.field('questionText')!, '   ', 'add', NO_CHECK_RULES)).toEqual({
      ok: false,
      error: 'This field is required.',
    });
    expect(parseField(u.field('email')!, '', 'add', NO_CHECK_RULES)).toEqual({ ok: true, value: '' });
  });

  it('reads datetime-local input as UTC and rejects impossible dates', () => {
    expect(parseField(q.field('pubDate')!, '2026-03-01T12:30', 'add', NO_CHECK_RULES)).toEqual({
      ok: true,
      value: new Date('2026-03-01T12:30:00Z'),
    });
    expect(parseField(q.field('pubDate')!, '2026-02-30T12:30', 'add', NO_CHECK_RULES).ok).toBe(false);
    expect(parseField(u.field('lastLogin')!, '', 'change', NO_CHECK_RULES)).toEqual({
      ok: true,
      value: null,
    });
  });

  it('checks whole numbers and their range, and booleans from checkboxes', () => {
    const id = describeTable(question).field('id')!;
    expect(parseField(id, '2147483648', 'change', NO_CHECK_RULES)).toEqual({
      ok: false,
      error: 'Ensure this value is less than or equal to 2147483647.',
    });
    expect(parseField(u.field('isStaff')!, undefined, 'change', NO_CHECK_RULES)).toEqual({
      ok: true,
      value: false,
    });
    expect(parseField(u.field('isStaff')!, '1', 'change', NO_CHECK_RULES)).toEqual({ ok: true, value: true });
  });
});
