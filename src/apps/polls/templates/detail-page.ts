import { html } from '../../../core/html/html.js';
import type { QuestionWithChoices } from '../service.js';
import { pollsPage, timeTag } from './layout.js';

export interface DetailPageOptions {
  /** The hidden `csrf_token` field's value (`request.csrfToken`). */
  readonly csrfToken: string;
  /** Shown above the choices when a vote was refused ("You didn't select a choice."). */
  readonly error?: string;
}

/**
 * `/polls/<id>/`: the question and a vote form, one radio button per choice. The radios share a
 * fieldset whose legend is the question, so screen readers announce it with each choice; an error
 * is tied to the fieldset with `aria-describedby` and announced as an alert.
 */
export function detailPage({ question, choices }: QuestionWithChoices, options: DetailPageOptions): string {
  const base = `/polls/${question.id}/`;
  const content =
    choices.length === 0
      ? html`<h1>${question.questionText}</h1>
<p class="meta">Published ${timeTag(question.pubDate)}</p>
<p class="empty">This poll has no choices yet.</p>`
      : html`<form class="vote-form" method="post" action="${base}vote/">
<input type="hidden" name="csrf_token" value="${options.csrfToken}">
<fieldset${options.error ? html` aria-describedby="vote-error"` : ''}>
  <legend><h1>${question.questionText}</h1></legend>
  <p class="meta">Published ${timeTag(question.pubDate)}</p>
  ${options.error ? html`<p class="error" id="vote-error" role="alert">${options.error}</p>` : ''}
  <ul class="choices">${choices.map(
    (c) => html`
    <li class="choice"><input type="radio" name="choice" id="choice-${c.id}" value="${c.id}" required>
      <label for="choice-${c.id}">${c.choiceText}</label></li>`,
  )}
  </ul>
</fieldset>
<div class="actions">
  <button type="submit" class="button">Vote</button>
  <a href="${base}results/">See results</a>
</div>
</form>`;
  return pollsPage({ title: question.questionText, back: { href: '/polls/', label: 'All polls' } }, content);
}
