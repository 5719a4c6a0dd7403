// The live screen of `pulltrace watch`, as a pure function of what is known: a title with the
// connection state, the filters and keys, then per image its rollout summary and a row per pull
// (bar, percent, speed, ETA, status, pods or error), a pull's layers under it when expanded.
// Cut to the terminal's width, and to its height by a window that keeps the selected row in view.
import { failureReasonLabel } from '../pulls/index.js';
import { compareHoldingUp, summarizeRollouts } from '../rollout/index.js';
import type { Colors } from './colors.js';
import { isFinished, type WatchedPull } from './pullTable.js';
import { rolloutSegments } from './rolloutLine.js';
import { paint, type Segment, type Style } from './segments.js';
import { bar, cell, formatBytes, formatDuration, formatPercent, formatRate } from './terminalFormat.js';

export interface ScreenState {
  server: string;
  /** "live", "connecting…", "reconnecting in 2s: …" */
  connection: string;
  connectionOk: boolean;
  /** a passing message (reconnected, fetch failed) */
  notice: string;
  /** pulls after every filter */
  pulls: WatchedPull[];
  /** pulls known before the screen's own filters */
  known: number;
  filterText: string;
  editingFilter: boolean;
  statusFilter: string;
  selectedId: string | undefined;
  expanded: ReadonlySet<string>;
  width: number;
  height: number;
}

export interface Screen {
  lines: string[];
  /** pull ids in the order shown, for moving the selection */
  order: string[];
}

const NODE_WIDTH = 22;

export function renderScreen(state: ScreenState, c: Colors): Screen {
  const width = Math.max(20, state.width);
  const head: Segment[][] = [
    [
      ['pulltrace watch', 'bold'],
      [`  ${state.server}  `, 'dim'],
      [state.connection, state.connectionOk ? 'green' : 'yellow'],
      [`  ${state.pulls.length === state.known ? `${state.known} pulls` : `${state.pulls.length} of ${state.known} pulls`}`],
      [state.notice ? `  ${state.notice}` : '', 'cyan'],
    ],
    filterLine(state),
  ];
  // Rows are described first and drawn only inside the window: with thousands of pulls, drawing
  // every row each frame would cost more than the frame rate allows.
  const body: Array<() => Segment[]> = [];
  const order: string[] = [];
  let selectedLine = -1;
  const byImage = new Map<string, WatchedPull[]>();
  for (const pull of state.pulls) {
    const list = byImage.get(pull.imageRef);
    if (list) list.push(pull);
    else byImage.set(pull.imageRef, [pull]);
  }
  for (const group of summarizeRollouts(state.pulls, 1)) {
    body.push(() => [[group.imageRef, 'bold'], ['  '], ...rolloutSegments(group)]);
    const pulls = (byImage.get(group.imageRef) ?? []).sort(rowOrder);
    for (const pull of pulls) {
      const selected = pull.id === state.selectedId;
      if (selected) selectedLine = body.length;
      order.push(pull.id);
      body.push(() => pullRow(pull, selected, width));
      if (state.expanded.has(pull.id)) for (const row of layerRows(pull)) body.push(() => row);
    }
  }
  if (body.length === 0) {
    const empty: Segment[] = [
      [state.known === 0 ? 'No pulls yet: waiting for the server to report one.' : 'No pulls match the filters.', 'dim'],
    ];
    body.push(() => empty);
  }

  const room = Math.max(1, state.height - head.length - 1);
  let start = 0;
  if (body.length > room && selectedLine >= 0) start = Math.min(Math.max(0, selectedLine - Math.floor(room / 2)), body.length - room);
  const shown = body.slice(start, start + room).map((row) => row());
  const below = body.length - start - shown.length;
  const footer: Segment[] =
    start > 0 || below > 0 ? [[`${start > 0 ? `↑ ${start} more  ` : ''}${below > 0 ? `↓ ${below} more` : ''}`, 'dim']] : [['']];
  const lines = [...head, ...shown, footer].map((segments) => paint(segments, c, width).trimEnd());
  return { lines, order };
}

function filterLine(state: ScreenState): Segment[] {
  const filter: Segment = state.editingFilter
    ? [`filter: ${state.filterText}▏ (Enter keeps, Esc clears)`, 'inverse']
    : [state.filterText ? `filter: "${state.filterText}"` : 'filter: –', state.filterText ? 'cyan' : 'dim'];
  return [
    filter,
    ['  '],
    [`status: ${state.statusFilter || 'any'}`, state.statusFilter ? 'cyan' : 'dim'],
    ['   ↑↓ select  ⏎ layers  / filter  s status  esc clear  q quit', 'dim'],
  ];
}

/** Failed first (they need a person), then what holds the rollout up, then completed. */
function rowOrder(a: WatchedPull, b: WatchedPull): number {
  const rank = (p: WatchedPull) => (p.status === 'failed' ? 0 : isFinished(p.status) ? 2 : 1);
  return rank(a) - rank(b) || compareHoldingUp(a, b);
}

function statusStyle(status: string): Style {
  if (status === 'completed') return 'green';
  if (status === 'failed') return 'red';
  if (status === 'stalled') return 'yellow';
  if (status === 'pulling' || status === 'unpacking') return 'blue';
  return undefined;
}

function pullRow(pull: WatchedPull, selected: boolean, width: number): Segment[] {
  const barWidth = Math.max(8, Math.min(30, width - 110));
  const active = !isFinished(pull.status);
  const row: Segment[] = [
    [selected ? '› ' : '  ', 'bold'],
    [cell(pull.nodeName, NODE_WIDTH), selected ? 'inverse' : undefined],
    [' '],
    [bar(pull.percent, barWidth), statusStyle(pull.status)],
    [` ${cell(formatPercent(pull.percent), 6, 'right')}`],
    [`  ${cell(active ? formatRate(pull.bytesPerSec) : '', 10, 'right')}`],
    [`  ${cell(active ? `ETA ${formatDuration(pull.etaSeconds)}` : '', 10)}`],
    ['  '],
    [cell(pull.status, 10), statusStyle(pull.status)],
  ];
  if (pull.slow) row.push(['slow ', 'yellow']);
  if (pull.status === 'failed') {
    row.push([
      `${(pull.error ?? 'failed').replace(/\s+/g, ' ')}${pull.failureReason ? ` (${failureReasonLabel(pull.failureReason)})` : ''}`,
      'red',
    ]);
  } else {
    const pods = Array.isArray(pull.pods) ? pull.pods : [];
    if (pods.length > 0) row.push([`pods ${pods.map((p) => `${p.namespace}/${p.podName}`).join(', ')}`, 'dim']);
  }
  return row;
}

function layerRows(pull: WatchedPull): Segment[][] {
  if (!pull.layers) return [[['      layers: loading…', 'dim']]];
  if (pull.layers.length === 0) return [[['      no layers reported', 'dim']]];
  return pull.layers.map((layer) => {
    const state = String(layer.state ?? '');
    const shared = (layer as { sharedWith?: unknown }).sharedWith;
    const row: Segment[] = [
      ['      '],
      [cell(layer.digest.replace(/^sha256:/, '').slice(0, 12), 13), 'dim'],
      [bar(layer.percent, 12), state === 'done' || state === 'cached' ? 'green' : 'blue'],
      [` ${cell(formatPercent(layer.percent), 6, 'right')}`],
      [`  ${cell(`${formatBytes(layer.downloadedBytes)}/${formatBytes(layer.totalBytes)}`, 20)}`],
      [`  ${cell(state === 'downloading' ? formatRate(layer.bytesPerSec) : '', 10, 'right')}`],
      [`  ${state}`],
    ];
    if (typeof shared === 'string' && shared) row.push([` with ${shared}`, 'dim']);
    return row;
  });
}
