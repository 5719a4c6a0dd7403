import { memo } from 'react';
import { formatBytes, formatDuration, formatRate } from '../../../src/pulls/index.js';
import { shortDigest } from '../format/digest.js';
import { secondsBetween } from '../format/duration.js';
import { shortImageRef } from '../format/imageRef.js';
import { formatPercent } from '../format/percent.js';
import { FAILURE_REASON_LABELS } from '../state/failureReasons.js';
import type { PullStatus } from '../state/types.js';
import { LayerTable } from './LayerTable.js';
import { Pods } from './Pods.js';
import { ProgressBar } from './ProgressBar.js';
import { StatusBadge } from './StatusBadge.js';

interface Props {
  pull: PullStatus;
  expanded: boolean;
  onToggle: (id: string) => void;
  now: number;
  /** image of another pull by id, for "shared with <image>" (undefined when not listed) */
  imageOf?: (pullId: string) => string | undefined;
}

/** One pull: everything an operator asks about it, in one line; its layers on expand. */
export const PullRow = memo(function PullRow({ pull, expanded, onToggle, now, imageOf }: Props) {
  const finished = pull.status === 'completed' || pull.status === 'failed';
  const layersId = `layers-${pull.id}`;
  const elapsed = secondsBetween(pull.startedAt, pull.completedAt, now);
  return (
    <div className={`pull pull-${pull.status}`} data-testid="pull-row" data-pull-id={pull.id} data-status={pull.status}>
      <div className="pull-line">
        <button
          type="button"
          className="expand"
          aria-expanded={expanded}
          aria-controls={layersId}
          aria-label={`${expanded ? 'Hide' : 'Show'} layers of ${pull.imageRef} on ${pull.nodeName}`}
          onClick={() => onToggle(pull.id)}
        >
          <span aria-hidden="true">{expanded ? '▾' : '▸'}</span>
        </button>
        <div className="cell-image">
          <span className="image" title={pull.imageRef} data-testid="image">
            {shortImageRef(pull.imageRef)}
          </span>
          <Pods pods={pull.pods} />
        </div>
        <span className="cell-node" title={pull.nodeName} data-testid="node">
          {pull.nodeName}
        </span>
        <span className="cell-status">
          <StatusBadge status={pull.status} />
          {pull.slow && (
            <span className="tag tag-slow" data-testid="slow" title="ETA beyond the slow threshold, or a rate below it for a minute">
              slow
            </span>
          )}
          {pull.status === 'failed' && pull.failureReason && (
            <span
              className={`tag tag-reason reason-${pull.failureReason}`}
              data-testid="failure-reason"
              title={`failure kind: ${pull.failureReason}`}
            >
              {FAILURE_REASON_LABELS[pull.failureReason]}
            </span>
          )}
        </span>
        <span className="cell-progress">
          <ProgressBar percent={pull.percent} label={`${pull.imageRef} on ${pull.nodeName}`} status={pull.status} />
          <span className="num percent" data-testid="percent">
            {formatPercent(pull.percent)}
          </span>
        </span>
        <span className="cell-bytes num" data-testid="bytes">
          {formatBytes(pull.downloadedBytes)} / {pull.totalKnown ? formatBytes(pull.totalBytes) : `${formatBytes(pull.totalBytes)}+`}
          {pull.cachedBytes > 0 && <span className="cached">{formatBytes(pull.cachedBytes)} cached</span>}
          {pull.waitSeconds !== undefined && pull.waitSeconds > 0 && (
            <span className="queued" data-testid="wait" title="queued in the kubelet before the pull started">
              queued {formatDuration(pull.waitSeconds)}
            </span>
          )}
        </span>
        <span className="cell-speed num" data-testid="speed">
          {finished ? '–' : formatRate(pull.bytesPerSec)}
        </span>
        <span className="cell-eta num" data-testid="eta">
          {finished ? '–' : formatDuration(pull.etaSeconds)}
        </span>
        <span className="cell-elapsed num" title={`started ${pull.startedAt}`}>
          {formatDuration(elapsed)}
        </span>
      </div>
      {pull.status === 'unpacking' && (
        <p className="pull-note" data-testid="unpacking">
          every layer is on the node; containerd is unpacking
          {pull.unpackingLayer ? ` layer ${shortDigest(pull.unpackingLayer)}` : ''}
          {pull.unpackStartedAt ? ` for ${formatDuration(secondsBetween(pull.unpackStartedAt, undefined, now))}` : ''}
        </p>
      )}
      {pull.error && (
        <p className="pull-error" data-testid="error">
          {pull.error}
        </p>
      )}
      {expanded && (
        <div className="pull-layers">
          <LayerTable id={layersId} layers={pull.layers} imageOf={imageOf} />
          {pull.layersOmitted ? (
            // The agent trims an image with more layers than a report may carry (docs/security.md).
            <p className="layers-note" data-testid="layers-omitted">
              {pull.layersOmitted} more {pull.layersOmitted === 1 ? 'layer' : 'layers'} not listed: the image has more layers than an agent
              report may carry
            </p>
          ) : null}
        </div>
      )}
    </div>
  );
});
