import { useMemo } from 'react';
import type { GroupOutcome } from '../../../src/pulls/index.js';
import { formatBytes, formatDuration, formatRate } from '../../../src/pulls/index.js';
import { summarizeRollout } from '../../../src/rollout/index.js';
import { shortImageRef } from '../format/imageRef.js';
import { formatPercent } from '../format/percent.js';
import type { EmptyState } from '../state/emptyState.js';
import type { ImageGroup } from '../state/imageGroups.js';
import type { PullState } from '../state/types.js';
import { ProgressBar } from './ProgressBar.js';
import { RolloutPanel } from './RolloutPanel.js';
import { RowErrorBoundary } from './RowErrorBoundary.js';
import { StatusBadge } from './StatusBadge.js';

/** A group is coloured by its worst pull, so one failure is never drawn as a green, finished bar. */
const BAR_STATUS: Record<GroupOutcome, PullState> = { done: 'completed', pulling: 'pulling', stalled: 'stalled', failed: 'failed' };

interface Props {
  groups: ImageGroup[];
  focus: string;
  onFocus: (imageRef: string) => void;
  /** opens one node's pull of an image in the pull list */
  onOpenPull: (nodeName: string, imageRef: string) => void;
  /** what an empty view says (state/emptyState.ts) */
  empty: EmptyState;
}

/** The rollout summary is recomputed only when this image's pulls change. */
function GroupRollout({ group, onOpenPull }: { group: ImageGroup; onOpenPull: Props['onOpenPull'] }) {
  const summary = useMemo(() => summarizeRollout(group.imageRef, group.pulls), [group]);
  return <RolloutPanel summary={summary} onOpenPull={onOpenPull} />;
}

/** One image across all nodes: a rollout's aggregate progress, then a row per node. */
export function ImageView({ groups, focus, onFocus, onOpenPull, empty }: Props) {
  if (groups.length === 0)
    return (
      <p className="empty" data-empty={empty.kind}>
        {empty.text}
      </p>
    );
  return (
    <section className="images" aria-label="Images">
      {groups.map((group) => {
        const open = group.imageRef === focus;
        return (
          <RowErrorBoundary key={group.imageRef} what={`Image ${String(group.imageRef)}`} resetKey={group}>
            <ImageGroupCard group={group} open={open} onFocus={onFocus} onOpenPull={onOpenPull} />
          </RowErrorBoundary>
        );
      })}
    </section>
  );
}

/**
 * One image's card: its head (nodes, progress, bytes, speed, counts), its rollout and, when open,
 * a row per node. Components of their own, so that a value they cannot draw throws inside their
 * error boundary instead of in ImageView, which would take the whole view down.
 */
function ImageGroupCard({
  group,
  open,
  onFocus,
  onOpenPull,
}: { group: ImageGroup; open: boolean } & Omit<Props, 'groups' | 'focus' | 'empty'>) {
  return (
    <article className="image-group" data-testid="image-group">
      <button type="button" className="image-head" aria-expanded={open} onClick={() => onFocus(open ? '' : group.imageRef)}>
        <span className="image" title={group.imageRef}>
          {shortImageRef(group.imageRef, 64)}
        </span>
        <span className="image-nodes" data-testid="image-nodes">
          {group.nodes} {group.nodes === 1 ? 'node' : 'nodes'}
        </span>
        <span className="cell-progress">
          <ProgressBar percent={group.percent} label={`${group.imageRef} on all nodes`} status={BAR_STATUS[group.worst]} />
          <span className="num percent">{formatPercent(group.percent)}</span>
        </span>
        <span className="num" data-testid="image-bytes">
          {formatBytes(group.downloadedBytes)} / {formatBytes(group.totalBytes)}
        </span>
        <span className="num" data-testid="image-speed">
          {formatRate(group.bytesPerSec)}
        </span>
        <span className="image-counts">
          {group.active} active · {group.completed} done
          {group.stalled > 0 && ` · ${group.stalled} stalled`}
          {group.failed > 0 && ` · ${group.failed} failed`}
        </span>
      </button>
      <GroupRollout group={group} onOpenPull={onOpenPull} />
      {open && (
        <table className="nodes">
          <thead>
            <tr>
              <th scope="col">node</th>
              <th scope="col">status</th>
              <th scope="col">progress</th>
              <th scope="col" className="num">
                bytes
              </th>
              <th scope="col" className="num">
                speed
              </th>
              <th scope="col" className="num">
                ETA
              </th>
            </tr>
          </thead>
          <tbody>
            {group.pulls.map((pull) => (
              <RowErrorBoundary key={pull.id} what={`Pull ${pull.id} on ${String(pull.nodeName)}`} resetKey={pull} as="tr" colSpan={6}>
                <NodeRow pull={pull} />
              </RowErrorBoundary>
            ))}
          </tbody>
        </table>
      )}
    </article>
  );
}

function NodeRow({ pull }: { pull: ImageGroup['pulls'][number] }) {
  return (
    <tr data-testid="image-node-row">
      <td>{pull.nodeName}</td>
      <td>
        <StatusBadge status={pull.status} />
        {pull.error && <span className="inline-error">{pull.error}</span>}
      </td>
      <td>
        <ProgressBar percent={pull.percent} label={`${pull.imageRef} on ${pull.nodeName}`} status={pull.status} size="small" />
      </td>
      <td className="num">
        {formatBytes(pull.downloadedBytes)} / {formatBytes(pull.totalBytes)}
      </td>
      <td className="num">{formatRate(pull.status === 'pulling' ? pull.bytesPerSec : 0)}</td>
      <td className="num">{pull.status === 'pulling' ? formatDuration(pull.etaSeconds) : '–'}</td>
    </tr>
  );
}
