import type { PullEvent } from '../../model/index.js';

/** One SSE message; built once per event and written as the same bytes to every client. */
export function sseMessage(id: number, json: string): string {
  return `id: ${id}\ndata: ${json}\n\n`;
}

/** The event without layer arrays, for clients that asked for `layers=0`. */
export function withoutLayers(event: PullEvent): PullEvent {
  if (!event.pull?.layers) return event;
  const { layers: _layers, ...pull } = event.pull;
  return { ...event, pull };
}

export const HEARTBEAT = ': heartbeat\n\n';
