import type { Child } from 'hono/jsx';
import { renderPage } from '../../../core/html/render.js';

export interface PollsPageProps {
  /** The `<title>`, before the site name. */
  readonly title: string;
  /** Where the "back" link at the top of the content points, when not on the index. */
  readonly back?: { readonly href: string; readonly label: string } | undefined;
  readonly children?: Child;
}

/**
 * The public polls pages' shell: skip link, header, main content and footer. The stylesheet is a
 * file under /static/polls/ and there is no script: the Content-Security-Policy forbids inline
 * code, and every page works without JavaScript.
 */
export function PollsPage({ title, back, children }: PollsPageProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title} · Polls</title>
        <link rel="stylesheet" href="/static/polls/polls.css" />
      </head>
      <body>
        <a class="skip-link" href="#content">
          Skip to main content
        </a>
        <header class="site-header">
          <div class="site-header-inner">
            <a class="brand" href="/polls/">
              Polls
            </a>
            <nav aria-label="Site">
              <a href="/polls/">All polls</a>
            </nav>
          </div>
        </header>
        <main id="content" class="content" tabindex={-1}>
          {back && (
            <p class="back">
              <a href={back.href}>← {back.label}</a>
            </p>
          )}
          {children}
        </main>
        <footer class="site-footer">
          <p>Polls, an app built with Slipway.</p>
        </footer>
      </body>
    </html>
  );
}

/** Renders a polls page to the response body. */
export function pollsPage(props: PollsPageProps): string {
  return renderPage(<PollsPage {...props} />);
}

/** The "back to all polls" link of every page but the index. */
export const ALL_POLLS = { href: '/polls/', label: 'All polls' } as const;

const DATE_FORMAT = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'UTC',
});

/**
 * A `<time>` element: machine-readable ISO instant, shown as "3 March 2026 at 14:05 UTC" (Slipway
 * has no TIME_ZONE setting yet, so the zone is always said).
 */
export function TimeTag({ value }: { readonly value: Date }) {
  return <time datetime={value.toISOString()}>{DATE_FORMAT.format(value)} UTC</time>;
}

/** "1 vote", "0 votes", "1,234 votes". */
export function votesLabel(count: number): string {
  return `${count.toLocaleString('en-GB')} ${count === 1 ? 'vote' : 'votes'}`;
}
