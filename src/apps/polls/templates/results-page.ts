import { html } from '../../../core/html/html.js';
import type { QuestionResults } from '../service.js';
import { pollsPage, votesLabel } from './layout.js';

/**
 * Whole percentages of `counts` that add up to exactly 100 (largest remainder: each share is
 * rounded down, and the points left go to the largest fractions, earlier choices first on a
 * tie), so that three equal choices show 34 %, 33 %, 33 % rather than 33 % three times, and
 * rounding each share alone can never show 102 %.
 *
 * @example
 *   percentages([5, 3, 2, 4]) // [36, 21, 14, 29]
 */
export function percentages(counts: readonly number[]): number[] {
  const total = counts.reduce((sum, n) => sum + n, 0);
  if (total === 0) return counts.map(() => 0);
  const exact = counts.map((n) => (n * 100) / total);
  const shares = exact.map(Math.floor);
  let left = 100 - shares.reduce((sum, n) => sum + n, 0);
  const order = exact
    .map((x, i) => ({ i, rest: x - Math.floor(x) }))
    .sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of order) {
    if (left-- <= 0) break;
    shares[i]! += 1;
  }
  return shares;
}

/**
 * `/polls/<id>/results/`: each choice with its votes, its share as a `<meter>` (a bar without
 * inline styles, which the CSP forbids) and a "Vote again?" link.
 */
export function resultsPage({ question, choices, totalVotes }: QuestionResults): string {
  const base = `/polls/${question.id}/`;
  const shares = percentages(choices.map((c) => c.votes));
  const content = html`<h1>${question.questionText}</h1>
${
  choices.length === 0
    ? html`<p class="empty">This poll has no choices yet.</p>`
    : html`<ul class="results">${choices.map(
        (c, i) => html`
  <li class="result">
    <span class="result-text" id="result-${c.id}">${c.choiceText}</span>
    <span class="result-votes">${votesLabel(c.votes)} <span class="share">(${shares[i]}%)</span></span>
    <meter min="0" max="${Math.max(totalVotes, 1)}" value="${c.votes}" aria-labelledby="result-${c.id}">${shares[i]}%</meter>
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
