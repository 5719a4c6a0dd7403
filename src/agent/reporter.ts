// Sends the node's snapshot to the server. One request at a time; while one is in flight (or the
// server is down) only the newest snapshot is kept — a snapshot is the full state, so a backlog
// would only replay history. An outage is logged once when it starts and once when it ends.
// After a failure the next attempt waits a jittered, growing delay (backoff.ts), so the agents
// of a whole cluster do not all return at the same instant after a server restart.
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Logger } from '../log/index.js';
import type { AgentReport } from '../model/index.js';
import { type BackoffOptions, DEFAULT_BACKOFF, parseRetryAfter, retryDelayMs } from './backoff.js';

export interface ReporterOptions {
  serverUrl: string;
  token: string;
  timeoutMs: number;
  logger: Logger;
  /** called with every report the server accepted (2xx) */
  onDelivered: (report: AgentReport) => void;
  /** retry delays after failures (default: 1 s doubling up to 15 s, fully jittered) */
  backoff?: BackoffOptions;
  /** source of jitter in [0, 1) */
  random?: () => number;
}

interface PostResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** POST over node:http with a keep-alive agent: a report a second over fetch costs several times the CPU. */
function postJson(url: URL, body: string, headers: Record<string, string>, timeoutMs: number, agent: HttpAgent): Promise<PostResult> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) }, timeout: timeoutMs },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < 4096) text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('no answer within the timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}

export function reportUrl(serverUrl: string): string {
  return new URL('/api/v1/report', serverUrl.endsWith('/') ? serverUrl : `${serverUrl}/`).toString();
}

export class Reporter {
  private pending: AgentReport | undefined;
  private inFlight: Promise<void> | undefined;
  private outage: { since: number; attempts: number; reason: string } | undefined;
  /** no attempt before this time (ms) after a failure */
  private retryAt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private wakeRetry: (() => void) | undefined;
  private readonly url: string;
  private readonly httpAgent: HttpAgent;
  private closed = false;

  constructor(private readonly opts: ReporterOptions) {
    this.url = reportUrl(opts.serverUrl);
    const agentOptions = { keepAlive: true, maxSockets: 1 };
    this.httpAgent = this.url.startsWith('https:') ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
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
    clearTimeout(this.retryTimer);
    this.wakeRetry?.();
    await this.inFlight;
    this.httpAgent.destroy();
  }

  get serverDown(): boolean {
    return this.outage !== undefined;
  }

  /** Milliseconds until the next attempt is allowed (0 when not backing off). */
  get retryInMs(): number {
    return Math.max(0, this.retryAt - Date.now());
  }

  private async drain(): Promise<void> {
    while (this.pending) {
      const wait = this.retryInMs;
      if (wait > 0) {
        await new Promise<void>((resolve) => {
          this.wakeRetry = resolve;
          this.retryTimer = setTimeout(resolve, wait);
        });
        this.wakeRetry = undefined;
        if (this.closed || !this.pending) break;
      }
      const report = this.pending;
      this.pending = undefined;
      await this.send(report);
    }
    this.inFlight = undefined;
  }

  private async send(report: AgentReport): Promise<void> {
    let reason: string;
    let retryAfter: number | undefined;
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
      const body = JSON.stringify(report);
      const url = new URL(this.url);
      const res = await postJson(url, body, headers, this.opts.timeoutMs, this.httpAgent).catch((err: { code?: string }) => {
        // A kept-alive connection the server closed while idle: one fresh attempt before calling it an outage.
        if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return postJson(url, body, headers, this.opts.timeoutMs, this.httpAgent);
        throw err;
      });
      if (res.status >= 200 && res.status < 300) {
        this.recovered();
        this.opts.onDelivered(report);
        return;
      }
      reason = `HTTP ${res.status}: ${res.body.slice(0, 300)}`;
      retryAfter = parseRetryAfter(res.headers['retry-after']);
      if (res.status === 401) reason = `the server refused the agent token (HTTP 401); set the same --agent-token as the server`;
    } catch (err) {
      reason = describeFetchError(err);
    }
    this.failed(reason, retryAfter);
  }

  private failed(reason: string, retryAfterSec: number | undefined): void {
    const failures = (this.outage?.attempts ?? 0) + 1;
    const random = (this.opts.random ?? Math.random)();
    this.retryAt = Date.now() + retryDelayMs(failures, random, this.opts.backoff ?? DEFAULT_BACKOFF, retryAfterSec);
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
    this.retryAt = 0;
    if (!this.outage) return;
    const { since, attempts } = this.outage;
    this.outage = undefined;
    this.opts.logger.info({ url: this.url, downForMs: Date.now() - since, failedAttempts: attempts }, 'reporting to the server again');
  }
}

function describeFetchError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: string }).code;
  return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
}
