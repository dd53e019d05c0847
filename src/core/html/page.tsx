import type { Child } from 'hono/jsx';
import { renderPage } from './render.js';

/**
 * A minimal standalone page: the shell of error pages and the framework's own screens. Its
 * stylesheet is a file, so the Content-Security-Policy can forbid inline styles.
 */
export function StandalonePage({ title, children }: { readonly title: string; readonly children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <link rel="stylesheet" href="/static/core/slipway.css" />
      </head>
      <body>{children}</body>
    </html>
  );
}

/** Renders a {@link StandalonePage} around `body`. */
export function page(title: string, body: Child): string {
  return renderPage(<StandalonePage title={title}>{body}</StandalonePage>);
}
