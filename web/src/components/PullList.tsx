import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useMemo, useRef } from 'react';
import type { EmptyState } from '../state/emptyState.js';
import type { PullStatus } from '../state/types.js';
import { PullRow } from './PullRow.js';
import { RowErrorBoundary } from './RowErrorBoundary.js';

interface Props {
  pulls: PullStatus[];
  expanded: ReadonlySet<string>;
  onToggle: (id: string) => void;
  now: number;
  stale: boolean;
  /** what an empty list says (state/emptyState.ts) */
  empty: EmptyState;
}

/** Only the rows in view are rendered, so 1,000 live pulls cost what 30 do. */
export function PullList({ pulls, expanded, onToggle, now, stale, empty }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  // Shared layers name the pull that downloads them: its image, when it is in the list.
  const images = useMemo(() => new Map(pulls.map((p) => [p.id, p.imageRef])), [pulls]);
  const imageOf = useCallback((id: string) => images.get(id), [images]);
  const virtualizer = useVirtualizer({
    count: pulls.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 58,
    overscan: 6,
    getItemKey: (index) => pulls[index]!.id,
  });

  return (
    <section className={stale ? 'list list-stale' : 'list'} aria-label="Pulls" aria-busy={stale}>
      <div className="pull-line list-head" aria-hidden="true">
        <span />
        <span>image · waiting pods</span>
        <span>node</span>
        <span>status</span>
        <span>progress</span>
        <span className="num">downloaded / total</span>
        <span className="num">speed</span>
        <span className="num">ETA</span>
        <span className="num">elapsed</span>
      </div>
      <div className="list-scroll" ref={scroller} data-testid="pull-list">
        {pulls.length === 0 ? (
          <p className="empty" data-empty={empty.kind}>
            {empty.text}
          </p>
        ) : (
          <div className="list-inner" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const pull = pulls[item.index]!;
              return (
                <div
                  key={item.key}
                  data-index={item.index}
                  ref={virtualizer.measureElement}
                  className="list-item"
                  style={{ transform: `translateY(${item.start}px)` }}
                >
                  <RowErrorBoundary what={`Pull ${pull.id} (${String(pull.imageRef)} on ${String(pull.nodeName)})`} resetKey={pull}>
                    <PullRow pull={pull} expanded={expanded.has(pull.id)} onToggle={onToggle} now={now} imageOf={imageOf} />
                  </RowErrorBoundary>
                </div>
              );
            })}
          </div>
        )}
      </div>
    </section>
  );
}
