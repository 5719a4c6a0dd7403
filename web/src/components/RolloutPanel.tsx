// The rollout summary of one image (src/rollout): how many nodes are done, pulling, stalled and
// failed, how fast, when the rollout ends (its slowest node's ETA), and which nodes hold it up or
// failed, each a link to that node's pull in the pull list.
import type { MouseEvent } from 'react';
import { formatDuration, formatRate } from '../../../src/pulls/index.js';
import type { RolloutNodeRef, RolloutSummary } from '../../../src/rollout/index.js';
import { failureReasonLabel } from '../state/failureReasons.js';
import { DEFAULT_VIEW_STATE, formatViewState } from '../state/filters.js';

interface Props {
  summary: RolloutSummary;
  /** opens the pull list on one node's pull of this image */
  onOpenPull: (nodeName: string, imageRef: string) => void;
}

const BUCKETS = [
  ['done', 'done'],
  ['pulling', 'pulling'],
  ['stalled', 'stalled'],
  ['failed', 'failed'],
] as const;

export function RolloutPanel({ summary, onOpenPull }: Props) {
  const eta = summary.etaSeconds === undefined ? '–' : `${summary.etaUnknown > 0 ? '≥ ' : ''}${formatDuration(summary.etaSeconds)}`;
  const etaNode = summary.slowest.find((n) => n.id === summary.etaPullId);
  return (
    <div className="rollout" data-testid="rollout">
      <div
        className="rollout-bar"
        role="img"
        aria-label={`${summary.done} done, ${summary.pulling} pulling, ${summary.stalled} stalled, ${summary.failed} failed`}
      >
        {BUCKETS.map(([key, label]) =>
          summary[key] > 0 ? (
            <span
              key={key}
              className={`rollout-part rollout-${key}`}
              style={{ flexGrow: summary[key] }}
              title={`${summary[key]} ${label}`}
            />
          ) : null,
        )}
      </div>
      <dl className="rollout-figures">
        <Figure label="nodes" value={String(summary.nodes)} testId="rollout-nodes" />
        {BUCKETS.map(([key, label]) => (
          <Figure
            key={key}
            label={label}
            value={String(summary[key])}
            testId={`rollout-${key}`}
            className={summary[key] > 0 ? `count-${key}` : ''}
          />
        ))}
        <Figure label="throughput" value={formatRate(summary.bytesPerSec)} testId="rollout-throughput" />
        <Figure label="node speed p50" value={formatRate(summary.speedP50 ?? 0)} testId="rollout-p50" />
        <Figure label="p95" value={formatRate(summary.speedP95 ?? 0)} testId="rollout-p95" />
        <div className="figure" data-testid="rollout-eta" data-eta-seconds={summary.etaSeconds ?? ''}>
          <dt>ETA</dt>
          <dd>
            {eta}
            {etaNode && (
              <>
                {' '}
                <NodeLink node={etaNode} imageRef={summary.imageRef} onOpenPull={onOpenPull} testId="rollout-eta-node" />
              </>
            )}
          </dd>
        </div>
      </dl>
      {(summary.slowest.length > 0 || summary.failedPulls.length > 0) && (
        <div className="rollout-lists">
          {summary.slowest.length > 0 && (
            <section aria-label="Slowest nodes" data-testid="rollout-slowest">
              <h3>Slowest nodes</h3>
              <ol>
                {summary.slowest.map((node) => (
                  <li key={node.id} data-testid="rollout-slow-node" data-node={node.nodeName}>
                    <NodeLink node={node} imageRef={summary.imageRef} onOpenPull={onOpenPull} />
                    <span className="num">{node.percent.toFixed(1)}%</span>
                    <span className="num">{node.status === 'stalled' ? 'stalled' : formatRate(node.bytesPerSec)}</span>
                    <span className="num">ETA {formatDuration(node.etaSeconds)}</span>
                  </li>
                ))}
              </ol>
            </section>
          )}
          {summary.failedPulls.length > 0 && (
            <section aria-label="Failed nodes" data-testid="rollout-failed-list">
              <h3>
                Failed{summary.failed > summary.failedPulls.length ? ` (first ${summary.failedPulls.length} of ${summary.failed})` : ''}
              </h3>
              <ul>
                {summary.failedPulls.map((node) => (
                  <li key={node.id} data-testid="rollout-failed-node" data-node={node.nodeName}>
                    <NodeLink node={node} imageRef={summary.imageRef} onOpenPull={onOpenPull} />
                    {node.failureReason && <span className="reason">{failureReasonLabel(node.failureReason)}</span>}
                    <span className="inline-error">{node.error ?? 'failed'}</span>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </div>
      )}
    </div>
  );
}

function Figure({ label, value, testId, className = '' }: { label: string; value: string; testId: string; className?: string }) {
  return (
    <div className={`figure ${className}`} data-testid={testId}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function NodeLink({
  node,
  imageRef,
  onOpenPull,
  testId,
}: {
  node: RolloutNodeRef;
  imageRef: string;
  onOpenPull: Props['onOpenPull'];
  testId?: string;
}) {
  // A real link (copyable, opens in a new tab); a plain click stays in the page.
  const href = formatViewState({ ...DEFAULT_VIEW_STATE, node: node.nodeName, image: imageRef }) || '?';
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    onOpenPull(node.nodeName, imageRef);
  };
  return (
    <a className="node-link" href={href} onClick={onClick} data-testid={testId}>
      {node.nodeName}
    </a>
  );
}
