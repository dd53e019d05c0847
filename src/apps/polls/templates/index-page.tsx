import type { Question } from '../service.js';
import { pollsPage, TimeTag } from './layout.js';

function PollItem({ question }: { readonly question: Question }) {
  return (
    <li class="poll-item">
      <a class="poll-link" href={`/polls/${question.id}/`}>
        {question.questionText}
      </a>{' '}
      <span class="meta">
        Published <TimeTag value={question.pubDate} />
      </span>
    </li>
  );
}

/** `/polls/`: the latest published questions, each a link to its detail page. */
export function indexPage(questions: readonly Question[]): string {
  return pollsPage({
    title: 'Latest polls',
    children: (
      <>
        <h1>Latest polls</h1>
        {questions.length === 0 ? (
          <p class="empty">No polls are available.</p>
        ) : (
          <ol class="poll-list">
            {questions.map((q) => (
              <PollItem question={q} />
            ))}
          </ol>
        )}
      </>
    ),
  });
}
