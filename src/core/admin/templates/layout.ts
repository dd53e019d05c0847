import type { FastifyRequest } from 'fastify';
import type { FlashMessage } from '../../auth/plugin.js';
import { takeFlashes } from '../../auth/plugin.js';
import { html, type SafeHtml } from '../../html/html.js';
import { visibleApps } from '../services/access.js';
import type { AdminIndex } from '../site.js';

export interface Crumb {
  readonly label: string;
  readonly href?: string;
}

export interface PageOptions {
  readonly title: string;
  /** The page's h1, when different from the title. */
  readonly heading?: string | SafeHtml;
  readonly breadcrumbs?: readonly Crumb[];
  readonly bodyClass?: string;
  /** Left out on the login and logged-out pages. */
  readonly nav?: boolean;
  readonly current?: string;
}

/** The hidden CSRF input every admin form carries. */
export function csrfInput(request: FastifyRequest): SafeHtml {
  return html`<input type="hidden" name="csrf_token" value="${request.csrfToken}">`;
}

function messages(list: readonly FlashMessage[]): SafeHtml {
  if (list.length === 0) return html``;
  return html`<ul class="messages" role="status">${list.map(
    (m) => html`<li class="message message-${m.level}">${m.message}</li>`,
  )}</ul>`;
}

function userTools(request: FastifyRequest): SafeHtml {
  const user = request.user;
  if (!user?.isStaff) return html``;
  return html`<div class="user-tools">
  <span>Welcome, <strong>${user.username}</strong>.</span>
  <a href="/">View site</a>
  <a href="/admin/password_change/">Change password</a>
  <form method="post" action="/admin/logout/" class="inline-form">${csrfInput(request)}<button type="submit" class="link-button">Log out</button></form>
</div>`;
}

function sidebar(request: FastifyRequest, index: AdminIndex, current?: string): SafeHtml {
  if (!request.user) return html``;
  const apps = visibleApps(request.user, index);
  return html`<nav class="sidebar" id="nav-sidebar" aria-label="Models">
${apps.map(
  (app) => html`<section class="nav-app">
  <h2><a href="/admin/${app.app}/">${app.label}</a></h2>
  <ul>${app.models.map(
    ({ reg, perms }) =>
      html`<li${reg.url === current ? html` class="current"` : ''}>${
        perms.view
          ? html`<a href="${reg.url}"${reg.url === current ? html` aria-current="page"` : ''}>${reg.labelPlural}</a>`
          : html`<span>${reg.labelPlural}</span>`
      }${perms.add ? html` <a class="addlink" href="${reg.url}add/" aria-label="Add ${reg.label.toLowerCase()}">+</a>` : ''}</li>`,
  )}</ul>
</section>`,
)}
</nav>`;
}

/**
 * Renders an admin page: header with the user's tools, breadcrumbs, the models sidebar, the
 * queued flash messages and `content`. Styles and scripts are files (the CSP forbids inline ones).
 */
export function adminPage(
  request: FastifyRequest,
  index: AdminIndex,
  options: PageOptions,
  content: SafeHtml,
): string {
  const crumbs = options.breadcrumbs ?? [];
  const nav = options.nav ?? true;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${options.title} | Slipway administration</title>
<link rel="stylesheet" href="/static/admin/admin.css">
<script src="/static/admin/admin.js" defer></script>
</head>
<body class="${options.bodyClass ?? ''}">
<a class="skip-link" href="#content-start">Skip to main content</a>
<header class="site-header">
  <div class="branding"><a href="/admin/">Slipway administration</a></div>
  ${userTools(request)}
</header>
${
  crumbs.length > 0
    ? html`<nav class="breadcrumbs" aria-label="Breadcrumbs"><ol>${crumbs.map((c, i) =>
        c.href && i < crumbs.length - 1
          ? html`<li><a href="${c.href}">${c.label}</a></li>`
          : html`<li aria-current="page">${c.label}</li>`,
      )}</ol></nav>`
    : ''
}
<div class="main${nav && request.user?.isStaff ? ' with-sidebar' : ''}">
${nav && request.user?.isStaff ? sidebar(request, index, options.current) : ''}
<main id="content-start" class="content" tabindex="-1">
${messages(takeFlashes(request))}
<h1>${options.heading ?? options.title}</h1>
${content}
</main>
</div>
</body>
</html>
`.value;
}
