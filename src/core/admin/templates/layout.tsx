import type { Child } from 'hono/jsx';
import type { FlashMessage } from '../../auth/plugin.js';
import type { IndexApp } from './index-page.js';

export interface Crumb {
  readonly label: string;
  readonly href?: string;
}

export interface PageOptions {
  readonly title: string;
  /** The page's h1, when different from the title. */
  readonly heading?: string;
  readonly breadcrumbs?: readonly Crumb[];
  readonly bodyClass?: string;
  /** Left out on the login and logged-out pages. */
  readonly nav?: boolean;
  readonly current?: string;
}

/**
 * What every admin page shows around its content, worked out by the route from the request
 * (see `routes/admin-page.ts`): the page itself never sees the request.
 */
export interface AdminChrome {
  /** The hidden `csrf_token` value of the page's forms (the log-out button's included). */
  readonly csrfToken: string;
  /** The signed-in staff user's name; absent for anyone else (no user tools, no sidebar). */
  readonly staffUsername?: string | undefined;
  /** The sidebar: the apps and models the user has any permission on. */
  readonly apps: readonly IndexApp[];
  /** Flash messages queued for this page. */
  readonly messages: readonly FlashMessage[];
}

/** The hidden CSRF input every admin form carries. */
export function CsrfInput({ token }: { readonly token: string }) {
  return <input type="hidden" name="csrf_token" value={token} />;
}

function Messages({ list }: { readonly list: readonly FlashMessage[] }) {
  if (list.length === 0) return null;
  return (
    <ul class="messages" role="status">
      {list.map((m) => (
        <li class={`message message-${m.level}`}>{m.message}</li>
      ))}
    </ul>
  );
}

function UserTools({ username, csrfToken }: { readonly username: string; readonly csrfToken: string }) {
  return (
    <div class="user-tools">
      <span>
        Welcome, <strong>{username}</strong>.
      </span>{' '}
      <a href="/">View site</a> <a href="/admin/password_change/">Change password</a>{' '}
      <form method="post" action="/admin/logout/" class="inline-form">
        <CsrfInput token={csrfToken} />
        <button type="submit" class="link-button">
          Log out
        </button>
      </form>
    </div>
  );
}

function SidebarModel({
  model,
  current,
}: {
  readonly model: IndexApp['models'][number];
  readonly current?: string | undefined;
}) {
  const { reg, perms } = model;
  const isCurrent = reg.url === current;
  return (
    <li class={isCurrent ? 'current' : undefined}>
      {perms.view ? (
        <a href={reg.url} aria-current={isCurrent ? 'page' : undefined}>
          {reg.labelPlural}
        </a>
      ) : (
        <span>{reg.labelPlural}</span>
      )}
      {perms.add && (
        <>
          {' '}
          <a class="addlink" href={`${reg.url}add/`} aria-label={`Add ${reg.label.toLowerCase()}`}>
            +
          </a>
        </>
      )}
    </li>
  );
}

function Sidebar({
  apps,
  current,
}: {
  readonly apps: readonly IndexApp[];
  readonly current?: string | undefined;
}) {
  return (
    <nav class="sidebar" id="nav-sidebar" aria-label="Models">
      {apps.map((app) => (
        <section class="nav-app">
          <h2>
            <a href={`/admin/${app.app}/`}>{app.label}</a>
          </h2>
          <ul>
            {app.models.map((model) => (
              <SidebarModel model={model} current={current} />
            ))}
          </ul>
        </section>
      ))}
    </nav>
  );
}

function Breadcrumbs({ crumbs }: { readonly crumbs: readonly Crumb[] }) {
  if (crumbs.length === 0) return null;
  return (
    <nav class="breadcrumbs" aria-label="Breadcrumbs">
      <ol>
        {crumbs.map((c, i) =>
          c.href && i < crumbs.length - 1 ? (
            <li>
              <a href={c.href}>{c.label}</a>
            </li>
          ) : (
            <li aria-current="page">{c.label}</li>
          ),
        )}
      </ol>
    </nav>
  );
}

export interface AdminLayoutProps {
  readonly chrome: AdminChrome;
  readonly options: PageOptions;
  readonly children?: Child;
}

/**
 * An admin page: header with the user's tools, breadcrumbs, the models sidebar, the queued flash
 * messages and the content. Styles and scripts are files (the CSP forbids inline ones).
 */
export function AdminLayout({ chrome, options, children }: AdminLayoutProps) {
  const sidebar = (options.nav ?? true) && chrome.staffUsername !== undefined;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <title>{options.title} | Slipway administration</title>
        <link rel="stylesheet" href="/static/admin/admin.css" />
        <script src="/static/admin/admin.js" defer />
      </head>
      <body class={options.bodyClass ?? ''}>
        <a class="skip-link" href="#content-start">
          Skip to main content
        </a>
        <header class="site-header">
          <div class="branding">
            <a href="/admin/">Slipway administration</a>
          </div>
          {chrome.staffUsername !== undefined && (
            <UserTools username={chrome.staffUsername} csrfToken={chrome.csrfToken} />
          )}
        </header>
        <Breadcrumbs crumbs={options.breadcrumbs ?? []} />
        <div class={sidebar ? 'main with-sidebar' : 'main'}>
          {sidebar && <Sidebar apps={chrome.apps} current={options.current} />}
          <main id="content-start" class="content" tabindex={-1}>
            <Messages list={chrome.messages} />
            <h1>{options.heading ?? options.title}</h1>
            {children}
          </main>
        </div>
      </body>
    </html>
  );
}
