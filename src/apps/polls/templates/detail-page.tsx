import type { Choice, Question, QuestionWithChoices } from '../service.js';
import { ALL_POLLS, pollsPage, TimeTag } from './layout.js';

export interface DetailPageOptions {
  /** The hidden `csrf_token` field's value (`request.csrfToken`). */
  readonly csrfToken: string;
  /** Shown above the choices when a vote was refused ("You didn't select a choice."). */
  readonly error?: string | undefined;
}

function ChoiceRadio({ choice }: { readonly choice: Choice }) {
  const id = `choice-${choice.id}`;
  return (
    <li class="choice">
      <input type="radio" name="choice" id={id} value={choice.id} required />{' '}
      <label for={id}>{choice.choiceText}</label>
    </li>
  );
}

function VoteForm({
  detail: { question, choices },
  options,
}: {
  readonly detail: QuestionWithChoices;
  readonly options: DetailPageOptions;
}) {
  const base = `/polls/${question.id}/`;
  return (
    <form class="vote-form" method="post" action={`${base}vote/`}>
      <input type="hidden" name="csrf_token" value={options.csrfToken} />
      <fieldset aria-describedby={options.error ? 'vote-error' : undefined}>
        <legend>
          <h1>{question.questionText}</h1>
        </legend>
        <p class="meta">
          Published <TimeTag value={question.pubDate} />
        </p>
        {options.error && (
          <p class="error" id="vote-error" role="alert">
            {options.error}
          </p>
        )}
        <ul class="choices">
          {choices.map((c) => (
            <ChoiceRadio choice={c} />
          ))}
        </ul>
      </fieldset>
      <div class="actions">
        <button type="submit" class="button">
          Vote
        </button>{' '}
        <a href={`${base}results/`}>See results</a>
      </div>
    </form>
  );
}

function NoChoices({ question }: { readonly question: Question }) {
  return (
    <>
      <h1>{question.questionText}</h1>
      <p class="meta">
        Published <TimeTag value={question.pubDate} />
      </p>
      <p class="empty">This poll has no choices yet.</p>
    </>
  );
}

/**
 * `/polls/<id>/`: the question and a vote form, one radio button per choice. The radios share a
 * fieldset whose legend is the question, so screen readers announce it with each choice; an error
 * is tied to the fieldset with `aria-describedby` and announced as an alert.
 */
export function detailPage(detail: QuestionWithChoices, options: DetailPageOptions): string {
  return pollsPage({
    title: detail.question.questionText,
    back: ALL_POLLS,
    children:
      detail.choices.length === 0 ? (
        <NoChoices question={detail.question} />
      ) : (
        <VoteForm detail={detail} options={options} />
      ),
  });
}
