import { fetchPull, fetchPulls } from '../api/client.js';
import type { PullEvent } from '../state/types.js';
import { now, type PullStore } from './pullStore.js';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting';

export interface LiveConnection {
  close(): void;
}

const RETRY_MS = 2000;
const RESYNC_MS = 60_000;
/** how often the layer lists of expanded, unfinished pulls are refetched */
const LAYERS_REFRESH_MS = 1000;
/** at most this many expanded pulls are refreshed per round (the rest keep their last list) */
const LAYERS_REFRESH_MAX = 20;

/**
 * Keeps the store in step with the server: SSE for live events (summaries only: a `layers=0`
 * stream carries no layer events; layer lists are fetched per expanded pull and refetched each
 * second while that pull is unfinished). EventSource resumes
 * with Last-Event-ID by itself; on every (re)open we also refetch the whole list and replace
 * the state before saying "live", so rows that were "pulling" before a drop never pass as live.
 */
export function connectLive(
  store: PullStore,
  onState: (state: ConnectionState) => void,
  expandedIds: () => Iterable<string>,
): LiveConnection {
  let source: EventSource | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let inFlight: AbortController | undefined;

  // Refetches the list and replaces the state: on every (re)open, and now and then while live so
  // that pulls the server has let go of (finished longer than its history TTL) leave the page too.
  // Resolves true once the state is replaced.
  const resync = (withLayers: boolean): Promise<boolean> => {
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    const requestedAt = now();
    return fetchPulls(controller.signal).then(
      (pulls) => {
        store.replaceAll(pulls, requestedAt);
        if (withLayers) for (const id of expandedIds()) fetchPull(id, controller.signal).then((p) => store.put(p), ignore);
        return true;
      },
      () => false,
    );
  };

  // After a (re)open the page says "live" only once the list is fresh: until then its rows may be
  // from before the drop. A failed refetch is retried while the stream stays open.
  const goLive = (opened: EventSource) => {
    resync(true).then((ok) => {
      if (closed || source !== opened || opened.readyState !== EventSource.OPEN) return;
      if (ok) onState('live');
      else retry = setTimeout(() => goLive(opened), RETRY_MS);
    });
  };
  const periodic = setInterval(() => {
    if (source?.readyState === EventSource.OPEN) resync(false);
  }, RESYNC_MS);
  let layersInFlight = 0;
  const layersRefresh = setInterval(() => {
    if (layersInFlight > 0 || source?.readyState !== EventSource.OPEN) return;
    let n = 0;
    for (const id of expandedIds()) {
      const pull = store.get(id);
      if (!pull?.layers || pull.status === 'completed' || pull.status === 'failed') continue;
      if (++n > LAYERS_REFRESH_MAX) break;
      layersInFlight++;
      fetchPull(id)
        .then((p) => store.put(p), ignore)
        .finally(() => layersInFlight--);
    }
  }, LAYERS_REFRESH_MS);

  const open = () => {
    const opened = new EventSource('api/v1/events?layers=0');
    source = opened;
    opened.onopen = () => goLive(opened);
    opened.onmessage = (message) => {
      let event: PullEvent;
      try {
        event = JSON.parse(message.data) as PullEvent;
      } catch {
        return; // not one of ours; the stream goes on
      }
      store.enqueue(event);
      // A finished pull's layer list is refetched once so its final layer states are exact.
      const pull = event.pull;
      if (pull && (event.type === 'pull.completed' || event.type === 'pull.failed') && store.get(pull.id)?.layers) {
        fetchPull(pull.id).then((p) => store.put(p), ignore);
      }
    };
    opened.onerror = () => {
      if (closed) return;
      onState('reconnecting');
      // CONNECTING: the browser retries by itself. CLOSED (e.g. an HTTP error from a proxy): retry here.
      if (opened.readyState === EventSource.CLOSED) {
        opened.close();
        clearTimeout(retry);
        retry = setTimeout(open, RETRY_MS);
      }
    };
  };

  onState('connecting');
  open();
  return {
    close() {
      closed = true;
      clearTimeout(retry);
      clearInterval(periodic);
      clearInterval(layersRefresh);
      inFlight?.abort();
      source?.close();
    },
  };
}

function ignore(): void {}
