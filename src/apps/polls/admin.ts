import type { AdminSite } from '../../core/admin/site.js';
import { choice, question } from './schema.js';

const DAY_MS = 86_400_000;

/** Django's `was_published_recently`: published within the last day, and not in the future. */
export function wasPublishedRecently(pubDate: Date, now = new Date()): boolean {
  const age = now.getTime() - pubDate.getTime();
  return age >= 0 && age <= DAY_MS;
}

/**
 * The polls models in the admin, as in Django's tutorial: questions with their choices inline,
 * and choices on their own with a searchable question picker (there may be many questions).
 */
export function registerPollsAdmin(site: AdminSite): void {
  site.register(question, {
    str: (q) => q.questionText,
    labels: { questionText: 'Question text', pubDate: 'Date published' },
    list: [
      'questionText',
      'pubDate',
      {
        key: 'wasPublishedRecently',
        label: 'Published recently?',
        boolean: true,
        value: (q) => wasPublishedRecently(q.pubDate),
      },
    ],
    filters: ['pubDate'],
    search: ['questionText'],
    ordering: ['-pubDate'],
    fieldsets: [{ fields: ['questionText'] }, { title: 'Date information', fields: ['pubDate'] }],
    // Django's TabularInline defaults: three blank rows, no minimum.
    inlines: [{ table: choice, extra: 3 }],
  });

  site.register(choice, {
    str: (c) => c.choiceText,
    list: ['choiceText', 'questionId', 'votes'],
    search: ['choiceText'],
    ordering: ['questionId', 'id'],
    autocomplete: ['questionId'],
  });
}
