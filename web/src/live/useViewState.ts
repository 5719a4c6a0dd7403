import { useCallback, useEffect, useState } from 'react';
import { formatViewState, parseViewState, type ViewState } from '../state/filters.js';

/**
 * The view state lives in the URL. Typing in a filter replaces the history entry (no entry per
 * keystroke); switching views pushes one, so Back returns to the previous view.
 */
export function useViewState(): [ViewState, (change: Partial<ViewState>) => void] {
  const [state, setState] = useState(() => parseViewState(window.location.search));

  useEffect(() => {
    const onPop = () => setState(parseViewState(window.location.search));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const update = useCallback((change: Partial<ViewState>) => {
    setState((current) => {
      const next = { ...current, ...change };
      const url = `${window.location.pathname}${formatViewState(next)}`;
      if (change.view !== undefined && change.view !== current.view) window.history.pushState(null, '', url);
      else window.history.replaceState(null, '', url);
      return next;
    });
  }, []);

  return [state, update];
}
