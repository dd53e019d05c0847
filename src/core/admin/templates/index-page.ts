import { html, type SafeHtml } from '../../html/html.js';
import type { Registration } from '../registration.js';
import type { ModelPerms } from '../services/access.js';
import type { LogEntryRow } from '../services/history.js';

export interface IndexApp {
  readonly app: string;
  readonly label: string;
  readonly models: readonly { reg: Registration; perms: ModelPerms }[];
}

/** The admin index (or one app's page): each app's models with Add and Change/View links. */
export function indexPage(
  apps: readonly IndexApp[],
  recent: readonly LogEntryRow[] | undefined,
  recentUrl: (entry: LogEntryRow) => string | undefined,
): SafeHtml {
  const modules = apps.map(
    (app) => html`<section class="module app-${app.app}" aria-labelledby="app-${app.app}-heading">
<table>
<caption id="app-${app.app}-heading"><a href="/admin/${app.app}/" class="section">${app.label}</a></caption>
<tbody>${app.models.map(
      ({ reg, perms }) => html`<tr class="model-${reg.model}">
<th scope="row">${perms.view ? html`<a href="${reg.url}">${reg.labelPlural}</a>` : reg.labelPlural}</th>
<td>${perms.add ? html`<a href="${reg.url}add/" class="addlink" aria-label="Add ${reg.label.toLowerCase()}">Add</a>` : ''}</td>
<td>${perms.change ? html`<a href="${reg.url}" class="changelink" aria-label="Change ${reg.labelPlural.toLowerCase()}">Change</a>` : perms.view ? html`<a href="${reg.url}" class="viewlink" aria-label="View ${reg.labelPlural.toLowerCase()}">View</a>` : ''}</td>
</tr>`,
    )}</tbody>
</table>
</section>`,
  );
  const recentBlock =
    recent === undefined
      ? ''
      : html`<section class="module recent-actions" aria-labelledby="recent-actions-heading">
<h2 id="recent-actions-heading">Recent actions</h2>
<h3>My actions</h3>
${
  recent.length === 0
    ? html`<p>None available</p>`
    : html`<ul class="actionlist">${recent.map((e) => {
        const url = recentUrl(e);
        return html`<li class="${e.action}link"><span class="action-label">${e.action === 'add' ? 'Added' : e.action === 'change' ? 'Changed' : 'Deleted'}</span> ${
          url ? html`<a href="${url}">${e.objectRepr}</a>` : e.objectRepr
        }<br><span class="mini quiet">${e.model.replaceAll('_', ' ')} (${e.app})</span></li>`;
      })}</ul>`
}
</section>`;
  return html`<div class="dashboard">
<div class="app-list">${apps.length === 0 ? html`<p>You don’t have permission to view or edit anything.</p>` : modules}</div>
${recentBlock}
</div>`;
}
