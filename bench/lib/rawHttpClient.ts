// A keep-alive HTTP/1.1 POST client over one raw TCP socket, for the ingest load generator.
// Node's HTTP client costs several times the server's own work per request; a simulated
// agent needs none of it: write the request bytes, read the status line and the body length.
import { connect, type Socket } from 'node:net';

export type PostOutcome = number | string; // HTTP status, or an error code

/**
 * Parses one HTTP/1.1 response at the start of `buf`: its status and total length, or undefined
 * while incomplete. Bodies are small: a chunked one ends at its last-chunk marker.
 */
export function parseResponse(buf: Buffer): { status: number; length: number } | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = buf.toString('latin1', 0, end);
  const status = Number(head.slice(9, 12));
  const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (m) {
    const length = end + 4 + Number(m[1]);
    return buf.length >= length ? { status, length } : undefined;
  }
  if (!/\r\ntransfer-encoding:\s*chunked/i.test(head)) return { status, length: end + 4 };
  const last = buf.indexOf('\r\n0\r\n\r\n', end + 2);
  return last < 0 ? undefined : { status, length: last + 7 };
}

export class KeepAliveConnection {
  private socket: Socket | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private waiting: ((outcome: PostOutcome) => void) | undefined;

  constructor(
    private readonly port: number,
    private readonly path: string,
  ) {}

  /** Posts a JSON body and resolves with the status (or an error code). One request at a time. */
  post(body: string, timeoutMs: number): Promise<PostOutcome> {
    const socket = this.socket ?? this.open();
    const head = `POST ${this.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    return new Promise<PostOutcome>((resolve) => {
      const timer = setTimeout(() => this.fail('timeout'), timeoutMs);
      this.waiting = (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      };
      socket.write(head + body);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private open(): Socket {
    const socket = connect(this.port, '127.0.0.1');
    socket.setNoDelay(true);
    this.socket = socket;
    this.buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => this.fail(err.code ?? 'socket-error'));
    socket.on('close', () => this.fail('closed'));
    return socket;
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const response = parseResponse(this.buf);
    if (!response) return;
    this.buf = this.buf.subarray(response.length);
    const done = this.waiting;
    this.waiting = undefined;
    done?.(response.status);
  }

  /** Ends the socket after an error or a timeout; the next post opens a new one. */
  private fail(code: string): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
    const done = this.waiting;
    this.waiting = undefined;
    done?.(code);
  }
}
