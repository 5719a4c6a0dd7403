// The interactive screen: redraws in place through log-update (one write per frame, so no
// flicker), at most ten frames a second, on every resize; reads keys in raw mode. It holds only
// view state (selection, filters, expanded pulls); the pulls come from the PullTable.
import { emitKeypressEvents } from 'node:readline';
import { createLogUpdate } from 'log-update';
import type { Colors } from './colors.js';
import { isFinished, matchesText, type PullTable } from './pullTable.js';
import { renderScreen } from './screen.js';
import type { WatchFilters } from './watchOptions.js';

const FRAME_MS = 100;
const STATUS_CYCLE = ['', 'pulling', 'stalled', 'failed', 'completed'];

export interface TerminalUiDeps {
  table: PullTable;
  filters: WatchFilters;
  server: string;
  colors: Colors;
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  /** fetches a pull's layers into the table */
  loadLayers(id: string): void;
  /** the person quit (q, Ctrl-C) */
  onQuit(code: number): void;
}

export class TerminalUi {
  private readonly log;
  private connection = 'connecting…';
  private connectionOk = false;
  private notice = '';
  private noticeTimer: NodeJS.Timeout | undefined;
  private filterText = '';
  private editingFilter = false;
  private statusFilter = '';
  private selectedId: string | undefined;
  private order: string[] = [];
  private readonly expanded = new Set<string>();
  private frameTimer: NodeJS.Timeout | undefined;
  /** the pause between frames: 100 ms, longer when a frame takes long to draw (thousands of pulls) */
  private frameMs = FRAME_MS;
  private layerTimer: NodeJS.Timeout;
  private closed = false;
  private readonly onKey = (text: string | undefined, key: { name?: string; ctrl?: boolean; sequence?: string } | undefined) =>
    this.key(text, key ?? {});
  private readonly onResize = () => this.draw();

  constructor(private readonly deps: TerminalUiDeps) {
    this.log = createLogUpdate(deps.stdout, { showCursor: false });
    emitKeypressEvents(deps.stdin);
    if (deps.stdin.isTTY) deps.stdin.setRawMode(true);
    deps.stdin.on('keypress', this.onKey);
    deps.stdin.resume();
    deps.stdout.on('resize', this.onResize);
    // Layers of expanded, unfinished pulls are refreshed (the stream carries summaries only).
    this.layerTimer = setInterval(() => {
      for (const id of this.expanded) {
        const pull = deps.table.pulls.get(id);
        if (pull && !isFinished(pull.status)) deps.loadLayers(id);
      }
    }, 2000);
    this.draw();
  }

  setConnection(text: string, ok: boolean): void {
    this.connection = text;
    this.connectionOk = ok;
    this.schedule();
  }

  say(text: string): void {
    this.notice = text;
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => {
      this.notice = '';
      this.schedule();
    }, 8000);
    this.schedule();
  }

  /** Something changed: draw soon, at most once per frame. */
  schedule(): void {
    if (this.closed || this.frameTimer) return;
    this.frameTimer = setTimeout(() => {
      this.frameTimer = undefined;
      this.draw();
    }, this.frameMs);
  }

  draw(): void {
    if (this.closed) return;
    const started = performance.now();
    const filters = { ...this.deps.filters, status: this.statusFilter || this.deps.filters.status };
    const matched = this.deps.table.matching(this.deps.filters);
    const pulls = this.deps.table.matching(filters).filter((p) => matchesText(p, this.filterText));
    if (this.selectedId === undefined || !pulls.some((p) => p.id === this.selectedId)) this.selectedId = undefined;
    const screen = renderScreen(
      {
        server: this.deps.server,
        connection: this.connection,
        connectionOk: this.connectionOk,
        notice: this.notice,
        pulls,
        known: matched.length,
        filterText: this.filterText,
        editingFilter: this.editingFilter,
        statusFilter: this.statusFilter,
        selectedId: this.selectedId,
        expanded: this.expanded,
        width: this.deps.stdout.columns || 80,
        // One row short of the terminal: a frame as tall as the screen would scroll it.
        height: (this.deps.stdout.rows || 24) - 1,
      },
      this.deps.colors,
    );
    this.order = screen.order;
    this.log(screen.lines.join('\n'));
    // Drawing takes at most a fifth of the time: the watch never hogs a core.
    this.frameMs = Math.max(FRAME_MS, Math.min(2000, 4 * (performance.now() - started)));
  }

  /** Leaves the last frame on the terminal and gives the keyboard back. */
  close(): void {
    if (this.closed) return;
    this.draw();
    this.closed = true;
    clearTimeout(this.frameTimer);
    clearTimeout(this.noticeTimer);
    clearInterval(this.layerTimer);
    this.log.done();
    this.deps.stdin.off('keypress', this.onKey);
    this.deps.stdout.off('resize', this.onResize);
    if (this.deps.stdin.isTTY) this.deps.stdin.setRawMode(false);
    this.deps.stdin.pause();
  }

  private key(text: string | undefined, key: { name?: string; ctrl?: boolean; sequence?: string }): void {
    if (key.ctrl && key.name === 'c') {
      this.deps.onQuit(130);
      return;
    }
    if (this.editingFilter) {
      if (key.name === 'return' || key.name === 'enter') this.editingFilter = false;
      else if (key.name === 'escape') {
        this.editingFilter = false;
        this.filterText = '';
      } else if (key.name === 'backspace') this.filterText = this.filterText.slice(0, -1);
      else if (text && text.length === 1 && text >= ' ' && this.filterText.length < 100) this.filterText += text;
      this.draw();
      return;
    }
    switch (key.name ?? text) {
      case 'q':
        this.deps.onQuit(0);
        return;
      case '/':
        this.editingFilter = true;
        break;
      case 's':
        this.statusFilter = STATUS_CYCLE[(STATUS_CYCLE.indexOf(this.statusFilter) + 1) % STATUS_CYCLE.length] ?? '';
        break;
      case 'escape':
        this.filterText = '';
        this.statusFilter = '';
        break;
      case 'up':
      case 'k':
        this.move(-1);
        break;
      case 'down':
      case 'j':
        this.move(1);
        break;
      case 'return':
      case 'enter':
      case 'space':
      case 'right':
      case 'l':
        this.toggle();
        break;
      case 'left':
      case 'h':
        if (this.selectedId) this.expanded.delete(this.selectedId);
        break;
      default:
        if (text === '/') this.editingFilter = true;
        else return;
    }
    this.draw();
  }

  private move(step: number): void {
    if (this.order.length === 0) return;
    const at = this.selectedId === undefined ? -1 : this.order.indexOf(this.selectedId);
    const next = at < 0 ? (step > 0 ? 0 : this.order.length - 1) : Math.max(0, Math.min(this.order.length - 1, at + step));
    this.selectedId = this.order[next];
  }

  private toggle(): void {
    if (this.selectedId === undefined) this.move(1);
    const id = this.selectedId;
    if (id === undefined) return;
    if (this.expanded.has(id)) this.expanded.delete(id);
    else {
      this.expanded.add(id);
      this.deps.loadLayers(id);
    }
  }
}
