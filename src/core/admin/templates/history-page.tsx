import { formatDateTime } from '../format.js';
import { describeChange, type LogEntryRow } from '../services/history.js';

export interface HistoryEntry {
  readonly entry: LogEntryRow;
  /** Who did it; null once that user was deleted. */
  readonly username: string | null;
}

/** An object's history: when, who and what, oldest first. */
export function HistoryPage({ entries }: { readonly entries: readonly HistoryEntry[] }) {
  if (entries.length === 0)
    return <p>This object doesn’t have a change history. It probably wasn’t added via this admin site.</p>;
  return (
    <div class="table-wrap">
      <table id="change-history">
        <caption class="sr-only">Change history</caption>
        <thead>
          <tr>
            <th scope="col">Date/time</th>
            <th scope="col">User</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {/* The cells are one a line, as the page has always sent them. */}
          {entries.map(({ entry, username }) => (
            <tr>
              <th scope="row">
                <time datetime={entry.actionTime.toISOString()}>{formatDateTime(entry.actionTime)}</time>
              </th>
              {'\n'}
              <td>{username ?? '(deleted user)'}</td>
              {'\n'}
              <td>{describeChange(entry.changeMessage, entry.action)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
