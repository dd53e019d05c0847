import { html, type SafeHtml } from '../../html/html.js';
import { formatDateTime } from '../format.js';
import { describeChange, type LogEntryRow } from '../services/history.js';

/** An object's history: when, who and what, oldest first. */
export function historyPage(entries: readonly { entry: LogEntryRow; username: string | null }[]): SafeHtml {
  if (entries.length === 0)
    return html`<p>This object doesn’t have a change history. It probably wasn’t added via this admin site.</p>`;
  return html`<div class="table-wrap"><table id="change-history">
<caption class="sr-only">Change history</caption>
<thead><tr><th scope="col">Date/time</th><th scope="col">User</th><th scope="col">Action</th></tr></thead>
<tbody>${entries.map(
    ({ entry, username }) => html`<tr>
<th scope="row"><time datetime="${entry.actionTime.toISOString()}">${formatDateTime(entry.actionTime)}</time></th>
<td>${username ?? '(deleted user)'}</td>
<td>${describeChange(entry.changeMessage, entry.action)}</td>
</tr>`,
  )}</tbody>
</table></div>`;
}
