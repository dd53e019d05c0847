import { html } from '../../../core/html/html.js';
import type { Question } from '../service.js';
import { pollsPage, timeTag } from './layout.js';

/** `/polls/`: the latest published questions, each a link to its detail page. */
export function indexPage(questions: readonly Question[]): string {
  const content =
    questions.length === 0
      ? html`<h1>Latest polls</h1>
<p class="empty">No polls are available.</p>`
      : html`<h1>Latest polls</h1>
<ol class="poll-list">${questions.map(
          (q) => html`
  <li class="poll-item"><a class="poll-link" href="/polls/${q.id}/">${q.questionText}</a>
    <span class="meta">Published ${timeTag(q.pubDate)}</span></li>`,
        )}
</ol>`;
  return pollsPage({ title: 'Latest polls' }, content);
}
