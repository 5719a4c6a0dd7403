// The history store a page at a time for the current filters: newest first, cursors remembered
// so "newer" goes back; new filters start again from the newest page.
import { useEffect, useState } from 'react';
import { fetchHistory, type HistoryPage } from '../api/client.js';
import { statusInEffect, type ViewState } from '../state/filters.js';

export interface HistoryPages {
  page: HistoryPage | undefined;
  error: string | undefined;
  /** 0 for the newest page */
  pageIndex: number;
  newer: (() => void) | undefined;
  older: (() => void) | undefined;
}

export function useHistoryPages(state: ViewState, pageSize: number): HistoryPages {
  // cursors[i] is the cursor that fetches page i (page 0 has none)
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [page, setPage] = useState<HistoryPage | undefined>();
  const [error, setError] = useState<string | undefined>();
  const { node, image, namespace, pod, reason, cluster } = state;
  // Only the filters the history API takes: a live-only status (`slow`) does not apply here.
  const status = statusInEffect(state);
  const pageIndex = cursors.length - 1;
  const cursor = cursors[pageIndex];

  // biome-ignore lint/correctness/useExhaustiveDependencies: the filter values are the trigger
  useEffect(() => {
    setCursors([undefined]);
  }, [node, image, namespace, pod, status, reason, cluster]);

  useEffect(() => {
    const abort = new AbortController();
    setError(undefined);
    fetchHistory({ limit: pageSize, cursor, node, image, namespace, pod, status, reason, cluster }, abort.signal)
      .then(setPage)
      .catch((err: Error) => {
        if (!abort.signal.aborted) setError(err.message);
      });
    return () => abort.abort();
  }, [cursor, node, image, namespace, pod, status, reason, cluster, pageSize]);

  const next = page?.next ?? undefined;
  return {
    page,
    error,
    pageIndex,
    newer: pageIndex > 0 ? () => setCursors((c) => c.slice(0, -1)) : undefined,
    older: next ? () => setCursors((c) => [...c, next]) : undefined,
  };
}
