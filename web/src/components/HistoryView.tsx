import { useEffect, useRef } from 'react';
import { formatBytes } from '../format/bytes.js';
import { formatDuration, secondsBetween } from '../format/duration.js';
import { shortImageRef } from '../format/imageRef.js';
import { useHistoryPages } from '../live/useHistoryPages.js';
import type { ViewState } from '../state/filters.js';
import { RowErrorBoundary } from './RowErrorBoundary.js';
import { StatusBadge } from './StatusBadge.js';

const PAGE_SIZE = 50;

/** Finished pulls from the history store, newest first, a page at a time. */
export function HistoryView({ state }: { state: ViewState }) {
  const { page, error, pageIndex, newer, older } = useHistoryPages(state, PAGE_SIZE);

  const top = useRef<HTMLElement>(null);
  // A new page starts at its top, not where the previous one was scrolled to.
  // biome-ignore lint/correctness/useExhaustiveDependencies: page is the trigger
  useEffect(() => {
    top.current?.scrollTo?.(0, 0);
  }, [page]);

  return (
    <section className="history" aria-label="History" ref={top}>
      <nav className="pager" aria-label="History pages">
        <button type="button" disabled={!newer} onClick={newer}>
          ← Newer
        </button>
        <span data-testid="history-page">page {pageIndex + 1}</span>
        <button type="button" disabled={!older} onClick={older}>
          Older →
        </button>
      </nav>
      {error && (
        <p className="load-error" role="alert">
          Could not load history: {error}
        </p>
      )}
      {page && page.pulls.length === 0 && <p className="empty">No finished pulls recorded{pageIndex > 0 ? ' on this page' : ''}.</p>}
      {page && page.pulls.length > 0 && (
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
            {page.pulls.map((pull) => (
              <RowErrorBoundary key={pull.id} what={`Pull ${pull.id}`} resetKey={pull} as="tr" colSpan={7}>
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
              </RowErrorBoundary>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
