// Sends the node's snapshot to the server. One request at a time; while one is in flight (or the
// server is down) only the newest snapshot is kept — a snapshot is the full state, so a backlog
// would only replay history. An outage is logged once when it starts and once when it ends.
import type { Logger } from '../log/index.js';
import type { AgentReport } from '../model/index.js';

export interface ReporterOptions {
  serverUrl: string;
  token: string;
  timeoutMs: number;
  logger: Logger;
  /** called with every report the server accepted (2xx) */
  onDelivered: (report: AgentReport) => void;
  /** injectable for tests */
  fetchImpl?: typeof fetch;
}

export function reportUrl(serverUrl: string): string {
  return new URL('/api/v1/report', serverUrl.endsWith('/') ? serverUrl : `${serverUrl}/`).toString();
}

export class Reporter {
  private pending: AgentReport | undefined;
  private inFlight: Promise<void> | undefined;
  private outage: { since: number; attempts: number; reason: string } | undefined;
  private readonly url: string;
  private readonly fetchImpl: typeof fetch;
  private closed = false;

  constructor(private readonly opts: ReporterOptions) {
    this.url = reportUrl(opts.serverUrl);
    this.fetchImpl = opts.fetchImpl ?? fetch;
  }

  /** Queues the snapshot (replacing any older one not yet sent) and sends it when the line is free. */
  offer(report: AgentReport): void {
    if (this.closed) return;
    this.pending = report;
    if (!this.inFlight) this.inFlight = this.drain();
  }

  /** Waits for the request in flight, if any. */
  async close(): Promise<void> {
    this.closed = true;
    this.pending = undefined;
    await this.inFlight;
  }

  get serverDown(): boolean {
    return this.outage !== undefined;
  }

  private async drain(): Promise<void> {
    while (this.pending) {
      const report = this.pending;
      this.pending = undefined;
      await this.send(report);
    }
    this.inFlight = undefined;
  }

  private async send(report: AgentReport): Promise<void> {
    let reason: string;
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
      const res = await this.fetchImpl(this.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(report),
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      const body = await res.text();
      if (res.ok) {
        this.recovered();
        this.opts.onDelivered(report);
        return;
      }
      reason = `HTTP ${res.status}: ${body.slice(0, 300)}`;
      if (res.status === 401) reason = `the server refused the agent token (HTTP 401); set the same --agent-token as the server`;
    } catch (err) {
      reason = describeFetchError(err);
    }
    this.failed(reason);
  }

  private failed(reason: string): void {
    if (!this.outage) {
      this.outage = { since: Date.now(), attempts: 1, reason };
      this.opts.logger.warn(
        { url: this.url, reason },
        'cannot report to the server; will keep polling and send only the latest snapshot once it answers',
      );
      return;
    }
    this.outage.attempts++;
    if (reason !== this.outage.reason) {
      this.outage.reason = reason;
      this.opts.logger.debug({ url: this.url, reason }, 'still cannot report to the server');
    }
  }

  private recovered(): void {
    if (!this.outage) return;
    const { since, attempts } = this.outage;
    this.outage = undefined;
    this.opts.logger.info({ url: this.url, downForMs: Date.now() - since, failedAttempts: attempts }, 'reporting to the server again');
  }
}

function describeFetchError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError') return 'no answer within the timeout';
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `${cause.code}: ${cause.message ?? ''}`.trim();
  return cause?.message ? `${err.message}: ${cause.message}` : err.message;
}
