import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { fetchPull } from './api/client.js';
import { FilterBar } from './components/FilterBar.js';
import { Header } from './components/Header.js';
import { HistoryView } from './components/HistoryView.js';
import { ImageView } from './components/ImageView.js';
import { PullList } from './components/PullList.js';
import { Tabs } from './components/Tabs.js';
import { type ConnectionState, connectLive } from './live/liveConnection.js';
import type { PullStore } from './live/pullStore.js';
import { useNow } from './live/useNow.js';
import { useViewState } from './live/useViewState.js';
import { matchesFilters, sortPulls } from './state/filters.js';
import { groupByImage } from './state/imageGroups.js';
import { pushSample } from './state/sparkline.js';
import { summarize } from './state/summary.js';

// Three minutes of one-second samples for the header sparkline.
const THROUGHPUT_SAMPLES = 180;

export function App({ store }: { store: PullStore }) {
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const [state, update] = useViewState();
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const expandedRef = useRef(expanded);
  expandedRef.current = expanded;
  const now = useNow();

  useEffect(() => {
    const live = connectLive(store, setConnection, () => expandedRef.current);
    return () => live.close();
  }, [store]);

  const all = useMemo(() => [...snapshot.pulls.values()], [snapshot]);
  const summary = useMemo(() => summarize(all), [all]);
  const visible = useMemo(
    () =>
      sortPulls(
        all.filter((p) => matchesFilters(p, state)),
        state.sort,
      ),
    [all, state],
  );
  const groups = useMemo(() => (state.view === 'images' ? groupByImage(visible) : []), [visible, state.view]);

  // The tab title shows activity while the operator looks elsewhere.
  useEffect(() => {
    document.title = summary.active > 0 ? `(${summary.active}) Pulltrace` : 'Pulltrace';
  }, [summary.active]);

  const [throughput, setThroughput] = useState<number[]>([]);
  const rateRef = useRef(0);
  rateRef.current = summary.bytesPerSec;
  useEffect(() => {
    const timer = setInterval(() => setThroughput((s) => pushSample(s, rateRef.current, THROUGHPUT_SAMPLES)), 1000);
    return () => clearInterval(timer);
  }, []);

  const toggle = useCallback(
    (id: string) => {
      setExpanded((current) => {
        const next = new Set(current);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      });
      // Layer lists are not on the live stream (layers=0); fetch this pull's now, the live connection refreshes it.
      if (!expandedRef.current.has(id) && !store.get(id)?.layers)
        fetchPull(id).then(
          (p) => store.put(p),
          () => {},
        );
    },
    [store],
  );

  const stale = connection !== 'live';
  return (
    <div className="app">
      <Header connection={connection} summary={summary} throughput={throughput} />
      {connection === 'reconnecting' && (
        <p className="banner" role="alert">
          Connection to the server lost — reconnecting. The figures below are from before the drop and are not live.
        </p>
      )}
      <div className="toolbar">
        <Tabs state={state} onChange={update} />
        <FilterBar state={state} onChange={update} showSort={state.view !== 'history'} shown={visible.length} total={all.length} />
      </div>
      <main className="main">
        {state.view === 'pulls' && <PullList pulls={visible} expanded={expanded} onToggle={toggle} now={now} stale={stale} />}
        {state.view === 'images' && (
          <ImageView
            groups={groups}
            focus={state.focus}
            onFocus={(focus) => update({ focus })}
            onOpenPull={(node, image) => update({ view: 'pulls', node, image, focus: '' })}
          />
        )}
        {state.view === 'history' && <HistoryView state={state} />}
      </main>
    </div>
  );
}
