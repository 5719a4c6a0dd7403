// Which pulls `watch --until-done` waits for. The server keeps finished pulls for HISTORY_TTL, and
// its list and event stream (a snapshot on every connect) send them again; counting those would end
// a deploy script at once on a pull from an earlier rollout. So a pull counts once this watch has
// seen it unfinished, or when it started at or after `sinceMs` (--since; default: the watch's start).
import { printable } from '../common/index.js';
import { isFinished, type Verdict, type WatchedPull } from './pullTable.js';

export class UntilDone {
  private readonly counted = new Set<string>();

  constructor(readonly sinceMs: number) {}

  /** Notes a pull as received (list, event or snapshot); once counted it stays counted. */
  see(pull: WatchedPull): void {
    if (!isFinished(pull.status) || Date.parse(pull.startedAt) >= this.sinceMs) this.counted.add(pull.id);
  }

  /** The pulls among `pulls` that --until-done waits for. */
  counting(pulls: readonly WatchedPull[]): WatchedPull[] {
    return pulls.filter((p) => this.counted.has(p.id));
  }

  /** Waiting while a counted pull is unfinished, or none is counted yet. */
  verdict(pulls: readonly WatchedPull[]): Verdict {
    return verdictOf(this.counting(pulls));
  }
}

export function verdictOf(pulls: readonly WatchedPull[]): Verdict {
  if (pulls.length === 0 || pulls.some((p) => !isFinished(p.status))) return 'waiting';
  return pulls.some((p) => p.status === 'failed') ? 'failed' : 'completed';
}

const NAMED = 10;

/** What --timeout says it gave up on: the unfinished counted pulls, or that none started. */
export function timeoutMessage(after: string, counted: readonly WatchedPull[], since: string): string {
  const open = counted.filter((p) => !isFinished(p.status));
  if (open.length === 0) {
    return `timed out after ${after}: no matching pull started since ${since} (an image already on every node is not pulled again)`;
  }
  const named = open
    .slice(0, NAMED)
    .map((p) => `${printable(p.nodeName)} ${printable(p.imageRef)} (${printable(p.status)} ${Number(p.percent ?? 0).toFixed(1)}%)`);
  const more = open.length > NAMED ? `, and ${open.length - NAMED} more` : '';
  return `timed out after ${after}: ${open.length} of ${counted.length} pulls still unfinished: ${named.join(', ')}${more}`;
}
