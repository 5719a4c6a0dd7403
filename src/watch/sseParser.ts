// Incremental parser of a text/event-stream (the WHATWG rules the server's SSE follows): lines
// may end in \n, \r\n or \r, `:` lines are comments (heartbeats), a blank line ends a message.
// A line or a message larger than the limit is an error, not memory: the server's largest event is
// far below it, so anything bigger is not a Pulltrace server (or something in between broke).
export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/** 1 MiB: a PullEvent without layers is a few kB; a snapshot is sent as many events. */
export const MAX_SSE_CHARS = 1024 * 1024;

export class SseLimitError extends Error {}

export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private dataChars = 0;
  private id: string | undefined;
  private event: string | undefined;
  private pendingCr = false;

  /** `maxChars`: the longest line, and the most data in one message (in characters, never fewer than bytes). */
  constructor(private readonly maxChars = MAX_SSE_CHARS) {}

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
    if (this.buffer.length > this.maxChars) throw this.tooLarge('a line');
    for (const line of lines) {
      if (line === '') {
        if (this.data.length > 0) {
          const message: SseMessage = { data: this.data.join('\n') };
          if (this.id !== undefined) message.id = this.id;
          if (this.event !== undefined) message.event = this.event;
          out.push(message);
        }
        this.data = [];
        this.dataChars = 0;
        this.event = undefined;
        continue;
      }
      if (line.length > this.maxChars) throw this.tooLarge('a line');
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') {
        this.dataChars += value.length + 1;
        if (this.dataChars > this.maxChars) throw this.tooLarge('an event');
        this.data.push(value);
      } else if (field === 'id' && !value.includes('\0')) this.id = value;
      else if (field === 'event') this.event = value;
    }
    return out;
  }

  private tooLarge(what: string): SseLimitError {
    return new SseLimitError(
      `the event stream sent ${what} larger than ${formatLimit(this.maxChars)} (the limit); a Pulltrace server never does: is the URL a Pulltrace server, or does a proxy in between alter the stream?`,
    );
  }

  /** The id of the last message seen (kept across messages, as EventSource does). */
  get lastEventId(): string | undefined {
    return this.id;
  }
}

function formatLimit(chars: number): string {
  return chars % (1024 * 1024) === 0 ? `${chars / (1024 * 1024)} MiB` : `${chars} characters`;
}
