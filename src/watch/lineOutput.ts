// One line per change, for pipes and CI logs (`--output plain|wide|json`, or no TTY). Progress
// lines are printed when a pull's whole percent changes, lifecycle changes always; after a
// lifecycle change the image's rollout summary follows as a `==` line.
import { printable } from '../common/index.js';
import { failureReasonLabel, isFinished } from '../pulls/index.js';
import { type RolloutSummary, summarizeRollout, summarizeRollouts } from '../rollout/index.js';
import type { Colors } from './colors.js';
import type { PullChange, WatchedPull } from './pullTable.js';
import { rolloutSegments } from './rolloutLine.js';
import { paint } from './segments.js';
import { formatBytes, formatDuration, formatPercent, formatRate } from './terminalFormat.js';

export type LineMode = 'plain' | 'wide' | 'json';

export class LineOutput {
  private readonly printed = new Map<string, { status: string; percent: number }>();
  /** the last summary line printed per image, so the closing summary is not a repeat */
  private readonly summaries = new Map<string, string>();

  constructor(
    private readonly mode: LineMode,
    private readonly colors: Colors,
  ) {}

  /** Lines for one change; `all` are the matched pulls (for the image summary); `raw` is the event as received. */
  linesFor(change: PullChange, all: () => Iterable<WatchedPull>, raw?: unknown): string[] {
    const { pull } = change;
    const last = this.printed.get(pull.id);
    const percent = Math.floor(Number.isFinite(pull.percent) ? pull.percent : 0);
    const lifecycle = !last || last.status !== pull.status;
    if (!lifecycle && last.percent === percent) return [];
    this.printed.set(pull.id, { status: pull.status, percent });
    if (this.mode === 'json') return [JSON.stringify(raw ?? { type: change.type, pull })];
    const out = [this.pullLine(pull)];
    if (lifecycle && last)
      out.push(
        this.summaryLine(
          summarizeRollout(
            pull.imageRef,
            [...all()].filter((p) => p.imageRef === pull.imageRef),
          ),
        ),
      );
    return out;
  }

  pullLine(pull: WatchedPull): string {
    const c = this.colors;
    const time = new Date().toISOString().slice(11, 19);
    // Every text from the server is made printable before colours are added around it.
    const parts = [
      c.dim(time),
      printable(pull.nodeName),
      printable(pull.imageRef),
      colorStatus(printable(pull.status), c),
      formatPercent(pull.percent),
    ];
    if (!isFinished(pull.status)) parts.push(formatRate(pull.bytesPerSec), `ETA ${formatDuration(pull.etaSeconds)}`);
    if (this.mode === 'wide') {
      parts.push(
        `${formatBytes(pull.downloadedBytes)}/${formatBytes(pull.totalBytes)}`,
        `cached ${formatBytes(pull.cachedBytes)}`,
        `layers ${pull.layersDone}/${pull.layerCount}`,
      );
      if (pull.waitSeconds !== undefined) parts.push(`waited ${formatDuration(pull.waitSeconds)}`);
      const pods = Array.isArray(pull.pods) ? pull.pods.map((p) => `${p.namespace}/${p.podName}`) : [];
      if (pods.length > 0) parts.push(`pods ${printable(pods.join(','))}`);
      parts.push(`id ${printable(pull.id)}`);
    }
    if (pull.slow) parts.push(c.yellow('slow'));
    if (pull.status === 'failed')
      parts.push(
        c.red(printable(`error: ${pull.error ?? 'unknown'}${pull.failureReason ? ` (${failureReasonLabel(pull.failureReason)})` : ''}`)),
      );
    return parts.join('  ');
  }

  summaryLine(s: RolloutSummary): string {
    const line = paint([['==', 'bold'], [` ${s.imageRef}  `], ...rolloutSegments(s)], this.colors);
    this.summaries.set(s.imageRef, line);
    return line;
  }

  /** The closing summary of each image, unless the same line was just printed (none for json). */
  closingLines(pulls: Iterable<WatchedPull>): string[] {
    if (this.mode === 'json') return [];
    const out: string[] = [];
    for (const s of summarizeRollouts(pulls)) {
      const previous = this.summaries.get(s.imageRef);
      const line = this.summaryLine(s);
      if (line !== previous) out.push(line);
    }
    return out;
  }
}

export function colorStatus(status: string, c: Colors): string {
  if (status === 'completed') return c.green(status);
  if (status === 'failed') return c.red(status);
  if (status === 'stalled') return c.yellow(status);
  if (status === 'pulling' || status === 'unpacking') return c.blue(status);
  return status;
}
