// Which pull rows are open. Opening one fetches its layer list when the store has none (the live
// stream carries no layer arrays); the ref lets the live connection read the set without re-subscribing.
import { type RefObject, useCallback, useRef, useState } from 'react';
import { fetchPull } from '../api/client.js';
import type { PullStore } from './pullStore.js';

export interface ExpandedPulls {
  expanded: ReadonlySet<string>;
  expandedRef: RefObject<ReadonlySet<string>>;
  toggle: (id: string) => void;
}

export function useExpandedPulls(store: PullStore): ExpandedPulls {
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const expandedRef = useRef(expanded);
  expandedRef.current = expanded;
  const toggle = useCallback(
    (id: string) => {
      setExpanded((current) => {
        const next = new Set(current);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      });
      if (!expandedRef.current.has(id) && !store.get(id)?.layers)
        fetchPull(id).then(
          (p) => store.put(p),
          () => {},
        );
    },
    [store],
  );
  return { expanded, expandedRef, toggle };
}
