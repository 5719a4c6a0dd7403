import type { MouseEvent } from 'react';
import { formatViewState, type View, type ViewState } from '../state/filters.js';

const TABS: Array<{ view: View; label: string }> = [
  { view: 'pulls', label: 'Pulls' },
  { view: 'images', label: 'Images' },
  { view: 'history', label: 'History' },
];

/** Real links (open in a new tab works), handled in-page on a plain click. */
export function Tabs({ state, onChange }: { state: ViewState; onChange: (change: Partial<ViewState>) => void }) {
  return (
    <nav className="tabs" aria-label="Views">
      {TABS.map(({ view, label }) => {
        const href = `${window.location.pathname}${formatViewState({ ...state, view })}`;
        const onClick = (event: MouseEvent) => {
          if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
          event.preventDefault();
          onChange({ view });
        };
        return (
          <a key={view} href={href} onClick={onClick} className="tab" aria-current={state.view === view ? 'page' : undefined}>
            {label}
          </a>
        );
      })}
    </nav>
  );
}
