// The one-line rollout summary of an image, shared by the live screen and the line outputs.

import type { GroupOutcome } from '../pulls/index.js';
import type { RolloutSummary } from '../rollout/index.js';
import type { Segment, Style } from './segments.js';
import { formatDuration, formatPercent, formatRate } from './terminalFormat.js';

const WORST_STYLE: Record<GroupOutcome, Style> = { done: 'green', pulling: 'blue', stalled: 'yellow', failed: 'red' };

/** "3 nodes: 1 done · 1 pulling · 0 stalled · 1 failed  45.6%  12 MB/s  ETA 3m05s (node-2)  p50 … p95 …" */
export function rolloutSegments(s: RolloutSummary): Segment[] {
  const out: Segment[] = [
    [`${s.nodes} ${s.nodes === 1 ? 'node' : 'nodes'}: `],
    [`${s.done} done`, 'green'],
    [' · '],
    [`${s.pulling} pulling`, 'blue'],
    [' · '],
    [`${s.stalled} stalled`, s.stalled > 0 ? 'yellow' : undefined],
    [' · '],
    [`${s.failed} failed`, s.failed > 0 ? 'red' : undefined],
    ['  '],
    // The colour of the whole rollout is its worst state, so a failure never reads as done.
    [formatPercent(s.percent), WORST_STYLE[s.worst]],
    [`  ${formatRate(s.bytesPerSec)}`],
  ];
  if (s.pulling + s.stalled > 0) {
    const etaNode = s.slowest.find((n) => n.id === s.etaPullId)?.nodeName;
    const bound = s.etaUnknown > 0 && s.etaSeconds !== undefined ? '≥' : '';
    out.push([`  ETA ${bound}${formatDuration(s.etaSeconds)}`, 'bold']);
    if (etaNode) out.push([` (${etaNode})`]);
  }
  // The spread of node speeds last: on a narrow terminal it is what gets cut.
  if (s.speedP50 !== undefined) out.push([`  p50 ${formatRate(s.speedP50)} p95 ${formatRate(s.speedP95)}`, 'dim']);
  return out;
}
