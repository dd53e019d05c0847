import { html, type SafeHtml } from '../../../core/html/html.js';

export interface PollsPageOptions {
  /** The `<title>`, before the site name. */
  readonly title: string;
  /** Where the "back" link at the top of the content points, when not on the index. */
  readonly back?: { readonly href: string; readonly label: string };
}

/**
 * The public polls pages' shell: skip link, header, main content and footer. The stylesheet is a
 * file under /static/polls/ and there is no script: the Content-Security-Policy forbids inline
 * code, and every page works without JavaScript.
 */
export function pollsPage(options: PollsPageOptions, content: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · Polls</title>
<link rel="stylesheet" href="/static/polls/polls.css">
</head>
<body>
<a class="skip-link" href="#content">Skip to main content</a>
<header class="site-header">
  <div class="site-header-inner">
    <a class="brand" href="/polls/">Polls</a>
    <nav aria-label="Site"><a href="/polls/">All polls</a></nav>
  </div>
</header>
<main id="content" class="content" tabindex="-1">
${options.back ? html`<p class="back"><a href="${options.back.href}">← ${options.back.label}</a></p>` : ''}
${content}
</main>
<footer class="site-footer"><p>Polls, an app built with Slipway.</p></footer>
</body>
</html>
`.value;
}

const DATE_FORMAT = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'UTC',
});

/**
 * A `<time>` element: machine-readable ISO instant, shown as "3 March 2026 at 14:05 UTC" (Slipway
 * has no TIME_ZONE setting yet, so the zone is always said).
 */
export function timeTag(value: Date): SafeHtml {
  return html`<time datetime="${value.toISOString()}">${DATE_FORMAT.format(value)} UTC</time>`;
}

/** "1 vote", "0 votes", "1,234 votes". */
export function votesLabel(count: number): string {
  return `${count.toLocaleString('en-GB')} ${count === 1 ? 'vote' : 'votes'}`;
}
