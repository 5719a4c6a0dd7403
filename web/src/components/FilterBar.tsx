import { FAILURE_REASON_LABELS, FAILURE_REASONS } from '../state/failureReasons.js';
import { SORT_KEYS, statusesOf, statusInEffect, type ViewState } from '../state/filters.js';

const TEXT_FILTERS = [
  { key: 'namespace', label: 'Namespace' },
  { key: 'node', label: 'Node' },
  { key: 'pod', label: 'Pod' },
  { key: 'image', label: 'Image' },
] as const;

const SORT_LABELS: Record<(typeof SORT_KEYS)[number], string> = {
  start: 'newest first',
  progress: 'least progress',
  speed: 'slowest first',
  eta: 'longest ETA',
};

interface Props {
  state: ViewState;
  onChange: (change: Partial<ViewState>) => void;
  /** history is always newest first */
  showSort: boolean;
  shown: number;
  total: number;
  /** cluster names among the live pulls; the cluster filter shows when there are several (or one is chosen) */
  clusters: string[];
}

export function FilterBar({ state, onChange, showSort, shown, total, clusters }: Props) {
  // What the current view applies: History offers only the statuses its API takes (no `slow`).
  const status = statusInEffect(state);
  const active = TEXT_FILTERS.some(({ key }) => state[key]) || status !== '' || state.reason !== '' || state.cluster !== '';
  const clusterChoices = state.cluster && !clusters.includes(state.cluster) ? [...clusters, state.cluster] : clusters;
  return (
    <search className="filters">
      {clusterChoices.length > 1 || state.cluster !== '' ? (
        <label className="filter">
          <span>Cluster</span>
          <select name="cluster" value={state.cluster} onChange={(e) => onChange({ cluster: e.target.value })}>
            <option value="">any</option>
            {clusterChoices.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {TEXT_FILTERS.map(({ key, label }) => (
        <label key={key} className="filter">
          <span>{label}</span>
          <input
            type="search"
            name={key}
            value={state[key]}
            placeholder="any"
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => onChange({ [key]: e.target.value })}
          />
        </label>
      ))}
      <label className="filter">
        <span>Status</span>
        <select name="status" value={status} onChange={(e) => onChange({ status: e.target.value })}>
          <option value="">any</option>
          {statusesOf(state.view).map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span>Failure</span>
        <select name="reason" value={state.reason} onChange={(e) => onChange({ reason: e.target.value })}>
          <option value="">any</option>
          {FAILURE_REASONS.map((r) => (
            <option key={r} value={r}>
              {FAILURE_REASON_LABELS[r]}
            </option>
          ))}
        </select>
      </label>
      {showSort && (
        <label className="filter">
          <span>Sort</span>
          <select name="sort" value={state.sort} onChange={(e) => onChange({ sort: e.target.value as ViewState['sort'] })}>
            {SORT_KEYS.map((k) => (
              <option key={k} value={k}>
                {SORT_LABELS[k]}
              </option>
            ))}
          </select>
        </label>
      )}
      {active && (
        <button
          type="button"
          className="link-button"
          onClick={() => onChange({ namespace: '', node: '', pod: '', image: '', status: '', reason: '', cluster: '' })}
        >
          clear filters
        </button>
      )}
      {showSort && (
        <span className="filter-count" data-testid="shown-count">
          {shown === total ? `${total} ${total === 1 ? 'pull' : 'pulls'}` : `${shown} of ${total} pulls`}
        </span>
      )}
    </search>
  );
}
