// Incremental parser of a text/event-stream (the WHATWG rules the server's SSE follows): lines
// may end in \n, \r\n or \r, `:` lines are comments (heartbeats), a blank line ends a message.
export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private id: string | undefined;
  private event: string | undefined;
  private pendingCr = false;

  /** Feeds a chunk of text; returns the messages it completed. */
  feed(chunk: string): SseMessage[] {
    let text = chunk;
    // A \r at the end of the previous chunk may be the first half of \r\n.
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = text.endsWith('\r');
    this.buffer += text;
    const out: SseMessage[] = [];
    const lines = this.buffer.split(/\r\n|\r|\n/);
    this.buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        if (this.data.length > 0) {
          const message: SseMessage = { data: this.data.join('\n') };
          if (this.id !== undefined) message.id = this.id;
          if (this.event !== undefined) message.event = this.event;
          out.push(message);
        }
        this.data = [];
        this.event = undefined;
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') this.data.push(value);
      else if (field === 'id' && !value.includes('\0')) this.id = value;
      else if (field === 'event') this.event = value;
    }
    return out;
  }

  /** The id of the last message seen (kept across messages, as EventSource does). */
  get lastEventId(): string | undefined {
    return this.id;
  }
}
