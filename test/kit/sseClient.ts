// A minimal EventSource-like client over node:http that records every message, so a test can
// assert the exact event sequence.
import { get, type IncomingMessage } from 'node:http';
import type { PullEvent } from '../../src/model/index.js';
import { waitFor } from './harness/index.js';

export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

export class SseRecorder {
  readonly messages: SseMessage[] = [];
  /** when each message arrived (performance.now()), for latency figures */
  readonly arrivals: number[] = [];
  comments = 0;
  status = 0;
  private res?: IncomingMessage;
  private buf = '';

  static async connect(url: string, headers: Record<string, string> = {}): Promise<SseRecorder> {
    const c = new SseRecorder();
    await new Promise<void>((resolve, reject) => {
      const req = get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        c.res = res;
        c.status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => c.feed(chunk));
        resolve();
      });
      req.on('error', reject);
    });
    return c;
  }

  get events(): PullEvent[] {
    return this.messages.filter((m) => !m.event).map((m) => JSON.parse(m.data) as PullEvent);
  }

  async waitForEvent(pred: (e: PullEvent) => boolean, what: string, timeoutMs = 15_000): Promise<PullEvent> {
    return waitFor(() => this.events.find(pred), { timeoutMs, what });
  }

  close(): void {
    this.res?.destroy();
  }

  private feed(chunk: string): void {
    this.buf += chunk;
    for (;;) {
      const end = this.buf.indexOf('\n\n');
      if (end < 0) return;
      const block = this.buf.slice(0, end);
      this.buf = this.buf.slice(end + 2);
      const msg: SseMessage = { data: '' };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) {
          this.comments++;
          continue;
        }
        const i = line.indexOf(':');
        const field = i < 0 ? line : line.slice(0, i);
        const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
        if (field === 'id') msg.id = value;
        else if (field === 'event') msg.event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length > 0) {
        msg.data = data.join('\n');
        this.messages.push(msg);
        this.arrivals.push(performance.now());
      }
    }
  }
}
