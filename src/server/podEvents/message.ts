// The text and type of a pod's PullProgress Event: the figures a person in `kubectl describe pod`
// wants (how far, how fast, how long still), and at the end where the time went.
import { printable } from '../../common/index.js';
import type { PullStatus } from '../../model/index.js';
import { formatBytes, formatRate, formatDuration as formatSpacedDuration } from '../../pulls/index.js';
import type { MilestoneKind } from './milestone.js';

export type EventType = 'Normal' | 'Warning';

/** "45s", "1m12s": durations packed as the terminal prints them. */
const formatDuration = (seconds: number | undefined) => formatSpacedDuration(seconds, '');

/** events.k8s.io caps a note at 1024 characters; a core/v1 message is kept to the same. */
export const MAX_MESSAGE_CHARS = 1024;

export function eventType(kind: MilestoneKind, pull: PullStatus): EventType {
  if (kind === 'stalled' || kind === 'trickling' || kind === 'failed') return 'Warning';
  if (kind === 'done' || kind === 'recovered') return 'Normal';
  return pull.status === 'stalled' || (pull.status === 'pulling' && pull.slow) ? 'Warning' : 'Normal';
}

/** `image` is the pod spec's image string, as kubelet quotes it in its own Events. */
export function eventMessage(kind: MilestoneKind, pull: PullStatus, image: string): string {
  const quoted = JSON.stringify(printable(image));
  let text: string;
  switch (kind) {
    case 'done':
      text = `Pulled image ${quoted}: ${doneText(pull)}`;
      break;
    case 'failed':
      text = `Failed to pull image ${quoted}${pull.failureReason ? ` (${pull.failureReason})` : ''} at ${amount(pull)}${pull.error ? `: ${printable(pull.error)}` : ''}`;
      break;
    default:
      text = runningText(pull, quoted);
  }
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…` : text;
}

function runningText(pull: PullStatus, quoted: string): string {
  if (pull.status === 'unpacking') return `Unpacking image ${quoted}: ${formatBytes(pull.totalBytes)} downloaded${layerText(pull)}`;
  if (pull.status === 'stalled') return `Pulling image ${quoted} stalled: no progress at ${amount(pull)}${layerText(pull)}`;
  const figures = [amount(pull)];
  if (pull.bytesPerSec > 0) figures.push(`at ${formatRate(pull.bytesPerSec)}`);
  const head = pull.slow ? `Pulling image ${quoted} is trickling` : `Pulling image ${quoted}`;
  const eta = pull.etaSeconds !== undefined ? `, about ${formatDuration(pull.etaSeconds)} left` : '';
  return `${head}: ${figures.join(' ')}${eta}${layerText(pull)}`;
}

/** "45% of 1.20 GB", or "120 MB so far" while the size is not known. */
function amount(pull: PullStatus): string {
  if (!pull.totalKnown || pull.totalBytes === 0) return `${formatBytes(pull.downloadedBytes)} so far`;
  return `${Math.floor(pull.percent)}% of ${formatBytes(pull.totalBytes)}`;
}

function layerText(pull: PullStatus): string {
  if (pull.layerCount <= 1) return '';
  return ` (layer ${Math.min(pull.layerCount, pull.layersDone + 1)} of ${pull.layerCount})`;
}

/** "1.20 GB in 1m12s (queued 20s, downloading 45s, unpacking 7s)": the parts that are known. */
export function doneText(pull: PullStatus): string {
  const phases = phaseSeconds(pull);
  const total = (phases.queued ?? 0) + (phases.downloading ?? 0) + (phases.unpacking ?? 0);
  const parts: string[] = [];
  if (phases.queued !== undefined) parts.push(`queued ${formatDuration(phases.queued)}`);
  if (phases.downloading !== undefined) parts.push(`downloading ${formatDuration(phases.downloading)}`);
  if (phases.unpacking !== undefined) parts.push(`unpacking ${formatDuration(phases.unpacking)}`);
  return `${formatBytes(pull.totalBytes)} in ${formatDuration(total)}${parts.length > 1 ? ` (${parts.join(', ')})` : ''}`;
}

export interface PhaseSeconds {
  /** in kubelet's queue before the pull began (kubelet's "… including waiting" figure) */
  queued?: number;
  downloading?: number;
  unpacking?: number;
}

/** Where a pull's time went, from what its record holds today (start, unpack start, end, wait). */
export function phaseSeconds(pull: PullStatus, now?: number): PhaseSeconds {
  const started = Date.parse(pull.startedAt);
  const end = pull.completedAt ? Date.parse(pull.completedAt) : now;
  const unpack = pull.unpackStartedAt ? Date.parse(pull.unpackStartedAt) : undefined;
  const out: PhaseSeconds = {};
  if (pull.waitSeconds !== undefined) out.queued = pull.waitSeconds;
  if (!Number.isFinite(started)) return out;
  const downloadEnd = unpack ?? end;
  if (downloadEnd !== undefined) out.downloading = Math.max(0, (downloadEnd - started) / 1000);
  if (unpack !== undefined && end !== undefined) out.unpacking = Math.max(0, (end - unpack) / 1000);
  return out;
}
