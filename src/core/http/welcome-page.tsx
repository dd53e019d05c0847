import { page } from '../html/page.js';

export interface WelcomePageProps {
  readonly engine: 'PGlite' | 'PostgreSQL';
  /** The installed apps, each linked to its page when it has one at `/<name>/`. */
  readonly apps: readonly {
    readonly name: string;
    readonly label: string;
    readonly href?: string | undefined;
  }[];
  /** The admin and the API docs, when installed. */
  readonly places: readonly { readonly href: string; readonly label: string; readonly what: string }[];
}

/** The page at `/` until an app claims it. */
export function WelcomePage({ engine, apps, places }: WelcomePageProps) {
  return (
    <>
      <h1>Slipway is running</h1>
      <p>Database: {engine === 'PGlite' ? 'embedded PGlite' : 'PostgreSQL'}.</p>
      <h2>Installed apps</h2>
      <ul>
        {apps.map((a) => (
          <li>
            {a.href ? <a href={a.href}>{a.label}</a> : a.label} <span class="muted">({a.name})</span>
          </li>
        ))}
      </ul>
      {places.length > 0 && (
        <ul>
          {places.map((p) => (
            <li>
              <a href={p.href}>{p.label}</a>: {p.what}
            </li>
          ))}
        </ul>
      )}
      <h2>Health</h2>
      <ul>
        <li>
          <a href="/livez">/livez</a>: the process answers
        </li>
        <li>
          <a href="/readyz">/readyz</a>: the database answers and no migration is pending
        </li>
      </ul>
      <p class="muted">
        Replace this page by registering <code>GET /</code> in an app’s routes.
      </p>
    </>
  );
}

/** The whole welcome page. */
export function welcomePage(props: WelcomePageProps): string {
  return page('Slipway', <WelcomePage {...props} />);
}
