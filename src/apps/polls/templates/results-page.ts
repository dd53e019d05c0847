import { html } from '../../../core/html/html.js';
import type { QuestionResults } from '../service.js';
import { pollsPage, votesLabel } from './layout.js';

/**
 * `/polls/<id>/results/`: each choice with its votes, its share as a `<meter>` (a bar without
 * inline styles, which the CSP forbids) and a "Vote again?" link.
 */
export function resultsPage({ question, choices, totalVotes }: QuestionResults): string {
  const base = `/polls/${question.id}/`;
  const share = (votes: number) => (totalVotes === 0 ? 0 : Math.round((votes / totalVotes) * 100));
  const content = html`<h1>${question.questionText}</h1>
${
  choices.length === 0
    ? html`<p class="empty">This poll has no choices yet.</p>`
    : html`<ul class="results">${choices.map(
        (c) => html`
  <li class="result">
    <span class="result-text" id="result-${c.id}">${c.choiceText}</span>
    <span class="result-votes">${votesLabel(c.votes)} <span class="share">(${share(c.votes)}%)</span></span>
    <meter min="0" max="${Math.max(totalVotes, 1)}" value="${c.votes}" aria-labelledby="result-${c.id}">${share(c.votes)}%</meter>
  </li>`,
      )}
</ul>`
}
<p class="total">Total: ${votesLabel(totalVotes)}</p>
<p class="actions"><a class="button" href="${base}">Vote again?</a> <a href="/polls/">All polls</a></p>`;
  return pollsPage(
    { title: `Results: ${question.questionText}`, back: { href: '/polls/', label: 'All polls' } },
    content,
  );
}
