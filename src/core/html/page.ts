import { html, type SafeHtml } from './html.js';

/**
 * A minimal standalone page: the shell of error pages and the framework's own screens. Its
 * stylesheet is a file, so the Content-Security-Policy can forbid inline styles.
 */
export function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="/static/core/slipway.css">
</head>
<body>
${body}
</body>
</html>
`.value;
}
