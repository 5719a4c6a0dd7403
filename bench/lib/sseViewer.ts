// What one SSE viewer of the ingest benchmark saw: messages and bytes, and whether it was kept
// current. Parsing is by string search, not JSON.parse, so twenty viewers stay cheap next to the
// server they measure. Coverage: of the pulls this viewer knew as active at the start of a window
// and still active at its end, the share it was sent a state of within that window.

export interface ViewerFigures {
  layers: boolean;
  messages: number;
  bytes: number;
  /** lowest coverage over the measured windows (1 = every active pull updated in every window) */
  worstCoverage: number;
  windows: number;
  /** events after a pull's completed/failed, or ids that did not ascend */
  orderViolations: number;
  /** active pulls at the end that this viewer never heard of (a lost pull.started) */
  missedPulls: number;
  /** times the server ended this stream during the measured window */
  disconnects: number;
  /** longest time without any data during the measured window (a stalled server shows here) */
  maxGapMs: number;
}

interface PullView {
  active: boolean;
  activeAtWindowStart: boolean;
  seenInWindow: boolean;
  finished: boolean;
}

function field(block: string, name: string, from = 0): string | undefined {
  const key = `"${name}":"`;
  const i = block.indexOf(key, from);
  if (i < 0) return undefined;
  const start = i + key.length;
  return block.slice(start, block.indexOf('"', start));
}

export class SseViewer {
  private readonly pulls = new Map<string, PullView>();
  private buf = '';
  private lastId = 0;
  private measuring = false;
  readonly figures: ViewerFigures;

  constructor(layers: boolean) {
    this.figures = {
      layers,
      messages: 0,
      bytes: 0,
      worstCoverage: 1,
      windows: 0,
      orderViolations: 0,
      missedPulls: 0,
      disconnects: 0,
      maxGapMs: 0,
    };
  }

  /** Starts counting messages, bytes and coverage (after the warm-up). */
  startMeasuring(): void {
    this.measuring = true;
    this.lastDataAt = performance.now();
    this.closeWindow(false);
  }

  stopMeasuring(): void {
    this.measuring = false;
  }

  onDisconnect(): void {
    if (this.measuring) this.figures.disconnects++;
  }

  private lastDataAt = 0;

  feed(chunk: string): void {
    const now = performance.now();
    if (this.measuring) {
      this.figures.bytes += Buffer.byteLength(chunk);
      if (this.lastDataAt > 0) this.figures.maxGapMs = Math.max(this.figures.maxGapMs, now - this.lastDataAt);
    }
    this.lastDataAt = now;
    this.buf += chunk;
    let end = this.buf.indexOf('\n\n');
    let start = 0;
    while (end >= 0) {
      this.onBlock(this.buf.slice(start, end));
      start = end + 2;
      end = this.buf.indexOf('\n\n', start);
    }
    this.buf = this.buf.slice(start);
  }

  /** Ends a coverage window (call every 2 s); `count` false only resets. */
  closeWindow(count = true): void {
    let eligible = 0;
    let covered = 0;
    for (const p of this.pulls.values()) {
      if (p.activeAtWindowStart && p.active) {
        eligible++;
        if (p.seenInWindow) covered++;
      }
      p.seenInWindow = false;
      p.activeAtWindowStart = p.active;
    }
    if (count && this.measuring && eligible > 0) {
      this.figures.windows++;
      this.figures.worstCoverage = Math.min(this.figures.worstCoverage, covered / eligible);
    }
  }

  /** Compares with the server's list of pulls at the end: active ones never heard of are misses. */
  checkAgainst(activeIds: string[], seenEver: Set<string>): void {
    for (const id of activeIds) if (!seenEver.has(id)) this.figures.missedPulls++;
  }

  readonly seenEver = new Set<string>();

  private onBlock(block: string): void {
    const d = block.indexOf('data: ');
    if (d < 0) return;
    if (this.measuring) this.figures.messages++;
    const idMatch = /^id: (\d+)/m.exec(block);
    const id = idMatch ? Number(idMatch[1]) : 0;
    // Snapshot messages share one id; live ids strictly ascend after them.
    if (id < this.lastId) this.figures.orderViolations++;
    this.lastId = id;
    const type = field(block, 'type', d) ?? '';
    const p = block.indexOf('"pull":{', d);
    if (p < 0) return;
    const pullId = field(block, 'id', p);
    if (!pullId) return;
    const status = field(block, 'status', p);
    this.seenEver.add(pullId);
    let view = this.pulls.get(pullId);
    if (!view) {
      view = { active: false, activeAtWindowStart: false, seenInWindow: false, finished: false };
      this.pulls.set(pullId, view);
    }
    view.seenInWindow = true;
    const ended = type === 'pull.completed' || type === 'pull.failed' || status === 'completed' || status === 'failed';
    // Out of order: a pull shown unfinished after it finished. A finished pull shown finished again
    // is not (a catch-up snapshot re-sends every pull as it is now, finished ones included).
    if (view.finished && !ended) this.figures.orderViolations++;
    view.active = !ended;
    if (ended) view.finished = true;
  }
}
