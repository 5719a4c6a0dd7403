import { formatBytes, formatDuration } from '../../../src/pulls/index.js';
// One page of finished pulls as a table: when each finished, where, how it ended, how much it
// downloaded and how long it took. Pure rendering from the page's pulls (HistoryView fetches them),
// so it is tested from fixtures (test/ui/components/HistoryTable.test.tsx).
import { secondsBetween } from '../format/duration.js';
import { shortImageRef } from '../format/imageRef.js';
import type { PullStatus } from '../state/types.js';
import { RowErrorBoundary } from './RowErrorBoundary.js';
import { StatusBadge } from './StatusBadge.js';

export function HistoryTable({ pulls }: { pulls: PullStatus[] }) {
  return (
    <table className="history-table" data-testid="history-table">
      <thead>
        <tr>
          <th scope="col">finished</th>
          <th scope="col">image</th>
          <th scope="col">node</th>
          <th scope="col">status</th>
          <th scope="col" className="num">
            downloaded
          </th>
          <th scope="col" className="num">
            duration
          </th>
          <th scope="col">pods · error</th>
        </tr>
      </thead>
      <tbody>
        {pulls.map((pull) => (
          <RowErrorBoundary key={pull.id} what={`Pull ${pull.id}`} resetKey={pull} as="tr" colSpan={7}>
            <HistoryRow pull={pull} />
          </RowErrorBoundary>
        ))}
      </tbody>
    </table>
  );
}

/** A component of its own so that a value it cannot draw throws inside the row's error boundary. */
function HistoryRow({ pull }: { pull: PullStatus }) {
  return (
    <tr data-testid="history-row">
      <td className="num" title={pull.completedAt ?? ''}>
        {pull.completedAt ? new Date(pull.completedAt).toLocaleString() : '–'}
      </td>
      <td title={pull.imageRef}>{shortImageRef(pull.imageRef)}</td>
      <td>{pull.nodeName}</td>
      <td>
        <StatusBadge status={pull.status} />
      </td>
      <td className="num">
        {formatBytes(pull.downloadedBytes)}
        {pull.cachedBytes > 0 && <span className="cached">{formatBytes(pull.cachedBytes)} cached</span>}
      </td>
      <td className="num" data-testid="duration">
        {pull.completedAt ? formatDuration(secondsBetween(pull.startedAt, pull.completedAt, 0)) : '–'}
      </td>
      <td>
        {pull.pods.map((p) => `${p.namespace}/${p.podName}/${p.container}`).join(', ')}
        {pull.error && <span className="inline-error">{pull.error}</span>}
      </td>
    </tr>
  );
}
