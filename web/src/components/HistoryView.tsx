// The History tab: the pager and the page's state (loading error, empty) around HistoryTable. The
// data comes from useHistoryPages; the table itself is pure rendering.
import { useEffect, useRef } from 'react';
import { useHistoryPages } from '../live/useHistoryPages.js';
import type { ViewState } from '../state/filters.js';
import { HistoryTable } from './HistoryTable.js';

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
      {page && page.pulls.length > 0 && <HistoryTable pulls={page.pulls} />}
    </section>
  );
}
