import { html, type SafeHtml } from './html.js';

const STYLE = `
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { max-width: 46rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; }
  h1 { font-size: 1.6rem; margin-bottom: .25rem; }
  pre { overflow: auto; padding: 1rem; background: #8881; border-radius: 6px; font-size: .85rem; }
  .muted { color: #888; font-size: .9rem; }
`;

/** A minimal standalone page: the shell of error pages and the framework's own screens. */
export function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`.value;
}
