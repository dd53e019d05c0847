import { ALL_POLLS, pollsPage } from './layout.js';

/** A poll that does not exist or is not published yet, in the polls pages' own shell. */
export function notFoundPage(message: string): string {
  return pollsPage({
    title: 'Poll not found',
    back: ALL_POLLS,
    children: (
      <>
        <h1>Poll not found</h1>
        <p>{message} It may have been removed, or it is not published yet.</p>
        <p class="actions">
          <a class="button" href="/polls/">
            See all polls
          </a>
        </p>
      </>
    ),
  });
}
