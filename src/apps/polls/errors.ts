import { SlipwayError } from '../../core/errors.js';

/**
 * No published question with this id: it does not exist, or its `pubDate` is still in the
 * future (a scheduled question must not be discoverable by guessing ids).
 */
export class QuestionNotFoundError extends SlipwayError<'POLLS_QUESTION_NOT_FOUND'> {
  constructor(id: number | string) {
    super('POLLS_QUESTION_NOT_FOUND', 404, `No poll with id ${String(id).slice(0, 40)}.`);
  }
}

/**
 * The vote named no choice, or one that is not an answer to this question (unknown, or another
 * question's). The detail page shows `message` above the form.
 */
export class InvalidChoiceError extends SlipwayError<'POLLS_INVALID_CHOICE'> {
  constructor(message: string) {
    super('POLLS_INVALID_CHOICE', 400, message);
  }
}

/** Django's wording, for a vote sent without a selected choice. */
export const NO_CHOICE_MESSAGE = "You didn't select a choice.";

/** For a vote that names two choices or more (a hand-made request: the form has radio buttons). */
export const ONE_CHOICE_MESSAGE = 'Choose only one answer.';

/** For a choice id that is not one of this question's choices. */
export const FOREIGN_CHOICE_MESSAGE =
  'That choice is not an answer to this question. Pick one of the choices below.';

/** `GET …/vote/`: votes are cast with the form, by POST. */
export class VoteNeedsPostError extends SlipwayError<'POLLS_VOTE_NEEDS_POST'> {
  constructor() {
    super('POLLS_VOTE_NEEDS_POST', 405, "Votes are sent with the form on the question's page.");
  }
}
