import type { ModelPerms } from '../../models/permissions.js';
import type { Registration } from '../registration.js';
import type { LogEntryRow } from '../services/history.js';

export interface IndexApp {
  readonly app: string;
  readonly label: string;
  readonly models: readonly { reg: Registration; perms: ModelPerms }[];
}

/** A recent action with the link to its object (absent once deleted, or when no longer registered). */
export interface RecentAction {
  readonly entry: LogEntryRow;
  readonly url?: string | undefined;
}

export interface IndexPageProps {
  readonly apps: readonly IndexApp[];
  /** The user's recent actions, on the site index only. */
  readonly recent?: readonly RecentAction[] | undefined;
}

function ChangeOrViewLink({ reg, perms }: IndexApp['models'][number]) {
  const plural = reg.labelPlural.toLowerCase();
  if (perms.change)
    return (
      <a href={reg.url} class="changelink" aria-label={`Change ${plural}`}>
        Change
      </a>
    );
  if (perms.view)
    return (
      <a href={reg.url} class="viewlink" aria-label={`View ${plural}`}>
        View
      </a>
    );
  return null;
}

function AppModule({ app }: { readonly app: IndexApp }) {
  const headingId = `app-${app.app}-heading`;
  return (
    <section class={`module app-${app.app}`} aria-labelledby={headingId}>
      <table>
        <caption id={headingId}>
          <a href={`/admin/${app.app}/`} class="section">
            {app.label}
          </a>
        </caption>
        <tbody>
          {app.models.map(({ reg, perms }) => (
            <tr class={`model-${reg.model}`}>
              <th scope="row">{perms.view ? <a href={reg.url}>{reg.labelPlural}</a> : reg.labelPlural}</th>
              <td>
                {perms.add && (
                  <a href={`${reg.url}add/`} class="addlink" aria-label={`Add ${reg.label.toLowerCase()}`}>
                    Add
                  </a>
                )}
              </td>
              <td>
                <ChangeOrViewLink reg={reg} perms={perms} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

const ACTION_LABELS: Record<string, string> = { add: 'Added', change: 'Changed', delete: 'Deleted' };

function RecentActions({ recent }: { readonly recent: readonly RecentAction[] }) {
  return (
    <section class="module recent-actions" aria-labelledby="recent-actions-heading">
      <h2 id="recent-actions-heading">Recent actions</h2>
      <h3>My actions</h3>
      {recent.length === 0 ? (
        <p>None available</p>
      ) : (
        <ul class="actionlist">
          {recent.map(({ entry, url }) => (
            <li class={`${entry.action}link`}>
              <span class="action-label">{ACTION_LABELS[entry.action] ?? 'Deleted'}</span>{' '}
              {url ? <a href={url}>{entry.objectRepr}</a> : entry.objectRepr}
              <br />
              <span class="mini quiet">
                {entry.model.replaceAll('_', ' ')} ({entry.app})
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The admin index (or one app's page): each app's models with Add and Change/View links. */
export function IndexPage({ apps, recent }: IndexPageProps) {
  return (
    <div class="dashboard">
      <div class="app-list">
        {apps.length === 0 ? (
          <p>You don’t have permission to view or edit anything.</p>
        ) : (
          apps.map((app) => <AppModule app={app} />)
        )}
      </div>
      {recent && <RecentActions recent={recent} />}
    </div>
  );
}
