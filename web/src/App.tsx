// The page: live pulls, images and history. Data comes from hooks (live/use*.ts); this file only
// composes them with the components.
import { useMemo, useSyncExternalStore } from 'react';
import { FilterBar } from './components/FilterBar.js';
import { Header } from './components/Header.js';
import { HistoryView } from './components/HistoryView.js';
import { ImageView } from './components/ImageView.js';
import { PullList } from './components/PullList.js';
import { Tabs } from './components/Tabs.js';
import type { PullStore } from './live/pullStore.js';
import { useAgents } from './live/useAgents.js';
import { useExpandedPulls } from './live/useExpandedPulls.js';
import { useLiveConnection } from './live/useLiveConnection.js';
import { useNow } from './live/useNow.js';
import { usePageTitle } from './live/usePageTitle.js';
import { useThroughput } from './live/useThroughput.js';
import { useViewState } from './live/useViewState.js';
import { emptyState } from './state/emptyState.js';
import { clustersOf, matchesFilters, sortPulls } from './state/filters.js';
import { groupByImage } from './state/imageGroups.js';
import { summarize } from './state/summary.js';

// Three minutes of one-second samples for the header sparkline.
const THROUGHPUT_SAMPLES = 180;

export function App({ store }: { store: PullStore }) {
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const [state, update] = useViewState();
  const { expanded, expandedRef, toggle } = useExpandedPulls(store);
  const connection = useLiveConnection(store, expandedRef);
  const now = useNow();
  const agents = useAgents();

  const all = useMemo(() => [...snapshot.pulls.values()], [snapshot]);
  const clusters = useMemo(() => clustersOf(all), [all]);
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
  usePageTitle(summary.active);
  const throughput = useThroughput(summary.bytesPerSec, THROUGHPUT_SAMPLES);

  const stale = connection !== 'live';
  const empty = emptyState(all.length, agents);
  return (
    <div className="app">
      <Header connection={connection} summary={summary} throughput={throughput} agents={agents} />
      {connection === 'reconnecting' && (
        <p className="banner" role="alert">
          Connection to the server lost — reconnecting. The figures below are from before the drop and are not live.
        </p>
      )}
      <div className="toolbar">
        <Tabs state={state} onChange={update} />
        <FilterBar
          state={state}
          onChange={update}
          showSort={state.view !== 'history'}
          shown={visible.length}
          total={all.length}
          clusters={clusters}
        />
      </div>
      <main className="main">
        {state.view === 'pulls' && <PullList pulls={visible} expanded={expanded} onToggle={toggle} now={now} stale={stale} empty={empty} />}
        {state.view === 'images' && (
          <ImageView
            groups={groups}
            focus={state.focus}
            onFocus={(focus) => update({ focus })}
            onOpenPull={(node, image) => update({ view: 'pulls', node, image, focus: '' })}
            empty={empty}
          />
        )}
        {state.view === 'history' && <HistoryView state={state} />}
      </main>
    </div>
  );
}
