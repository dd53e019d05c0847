import type { Choice, QuestionResults } from '../service.js';
import { ALL_POLLS, pollsPage, votesLabel } from './layout.js';

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

interface ResultProps {
  readonly choice: Choice;
  /** Whole percent of all votes. */
  readonly share: number;
  readonly totalVotes: number;
}

/** One choice: its text, its votes and its share as a `<meter>` (a bar without inline styles). */
function Result({ choice, share, totalVotes }: ResultProps) {
  const textId = `result-${choice.id}`;
  return (
    <li class="result">
      <span class="result-text" id={textId}>
        {choice.choiceText}
      </span>{' '}
      <span class="result-votes">
        {votesLabel(choice.votes)} <span class="share">({share}%)</span>
      </span>{' '}
      <meter min="0" max={Math.max(totalVotes, 1)} value={choice.votes} aria-labelledby={textId}>
        {share}%
      </meter>
    </li>
  );
}

/**
 * `/polls/<id>/results/`: each choice with its votes, its share as a `<meter>` (a bar without
 * inline styles, which the CSP forbids) and a "Vote again?" link.
 */
export function resultsPage({ question, choices, totalVotes }: QuestionResults): string {
  const shares = percentages(choices.map((c) => c.votes));
  return pollsPage({
    title: `Results: ${question.questionText}`,
    back: ALL_POLLS,
    children: (
      <>
        <h1>{question.questionText}</h1>
        {choices.length === 0 ? (
          <p class="empty">This poll has no choices yet.</p>
        ) : (
          <ul class="results">
            {choices.map((c, i) => (
              <Result choice={c} share={shares[i]!} totalVotes={totalVotes} />
            ))}
          </ul>
        )}
        <p class="total">Total: {votesLabel(totalVotes)}</p>
        <p class="actions">
          <a class="button" href={`/polls/${question.id}/`}>
            Vote again?
          </a>{' '}
          <a href="/polls/">All polls</a>
        </p>
      </>
    ),
  });
}
