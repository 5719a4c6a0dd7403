/** One SSE message; built once per event and written as the same bytes to every client. */
export function sseMessage(id: number, json: string): string {
  return `id: ${id}\ndata: ${json}\n\n`;
}

export const HEARTBEAT = ': heartbeat\n\n';
