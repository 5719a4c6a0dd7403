// Sends the node's snapshot to the server. One request at a time; while one is in flight (or the
// server is down) only the newest snapshot is kept — a snapshot is the full state, so a backlog
// would only replay history. An outage is logged once when it starts and once when it ends.
// Every report is held to the schema's limits first (reportFit.ts): one odd image must not get
// every report of the node refused.
// After a failure the next attempt waits a jittered, growing delay (backoff.ts), so the agents
// of a whole cluster do not all return at the same instant after a server restart.
import { readFile } from 'node:fs/promises';
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { maskUrlSecrets } from '../common/index.js';
import type { Logger } from '../log/index.js';
import type { AgentReport } from '../model/index.js';
import { type BackoffOptions, DEFAULT_BACKOFF, parseRetryAfter, retryDelayMs } from './backoff.js';
import { fitReport, type PullTrim } from './reportFit.js';

export interface ReporterOptions {
  serverUrl: string;
  token: string;
  /** read for every report when set (a projected ServiceAccount token the kubelet rotates); wins over `token` */
  tokenFile?: string;
  /** PEM CA certificates that sign the server's certificate (https:// URLs) */
  ca?: string;
  timeoutMs: number;
  logger: Logger;
  /** called with every report the server accepted (2xx), as it was sent (held to the schema limits) */
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
  /** the URL as logged: userinfo (a proxy's credentials) masked */
  private readonly shownUrl: string;
  private readonly httpAgent: HttpAgent;
  private closed = false;
  /** pulls whose trimming was already logged (one warning per pull) */
  private trimmedLogged = new Set<string>();
  private pullsOmittedLogged = false;

  constructor(private readonly opts: ReporterOptions) {
    this.url = reportUrl(opts.serverUrl);
    this.shownUrl = maskUrlSecrets(this.url);
    const agentOptions = { keepAlive: true, maxSockets: 1 };
    this.httpAgent = this.url.startsWith('https:')
      ? new HttpsAgent({ ...agentOptions, ...(opts.ca ? { ca: opts.ca } : {}) })
      : new HttpAgent(agentOptions);
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
      const token = await this.currentToken();
      if (token) headers.authorization = `Bearer ${token}`;
      const fitted = fitReport(report);
      this.logTrims(fitted.trims, fitted.pullsOmitted);
      const body = fitted.body;
      const url = new URL(this.url);
      const res = await postJson(url, body, headers, this.opts.timeoutMs, this.httpAgent).catch((err: { code?: string }) => {
        // A kept-alive connection the server closed while idle: one fresh attempt before calling it an outage.
        if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return postJson(url, body, headers, this.opts.timeoutMs, this.httpAgent);
        throw err;
      });
      if (res.status >= 200 && res.status < 300) {
        this.recovered();
        // What was sent, not what was offered: a pull left out of the body was not delivered.
        this.opts.onDelivered(fitted.report);
        return;
      }
      reason = `HTTP ${res.status}: ${res.body.slice(0, 300)}`;
      retryAfter = parseRetryAfter(res.headers['retry-after']);
      if (res.status === 401) {
        reason = this.opts.tokenFile
          ? `the server refused the token from ${this.opts.tokenFile} (HTTP 401: ${serverMessage(res.body)})`
          : `the server refused the agent token (HTTP 401); set the same --agent-token as the server`;
      } else if (res.status === 403) {
        reason = `the server refused this agent's identity (HTTP 403: ${serverMessage(res.body)})`;
      } else if (res.status === 429) {
        // This agent's own quota, not an outage: the server says when to come back.
        reason = `the server limits this agent's reports for now (HTTP 429: ${serverMessage(res.body)})`;
      }
    } catch (err) {
      reason = describeFetchError(err);
    }
    this.failed(reason, retryAfter);
  }

  // One warning per trimmed pull (a big image is trimmed in every report for minutes); forgotten
  // once the pull leaves the reports, so memory follows the pulls in progress.
  private logTrims(trims: PullTrim[], pullsOmitted: number): void {
    const current = new Set<string>();
    for (const t of trims) {
      current.add(t.pull);
      if (this.trimmedLogged.has(t.pull)) continue;
      this.opts.logger.warn(
        { imageRef: t.imageRef, pull: t.pull, layersOmitted: t.layersOmitted, shortened: t.shortened },
        'pull over the report limits: reported trimmed (layers left out are counted in layersOmitted)',
      );
    }
    this.trimmedLogged = current;
    if (pullsOmitted > 0 && !this.pullsOmittedLogged) {
      this.opts.logger.warn({ pullsOmitted }, 'too many pulls for one report: the oldest are left out until the report fits');
    }
    this.pullsOmittedLogged = pullsOmitted > 0;
  }

  /** The token file is read for every report, so a rotated token is used at once. */
  private async currentToken(): Promise<string> {
    if (!this.opts.tokenFile) return this.opts.token;
    try {
      return (await readFile(this.opts.tokenFile, 'utf8')).trim();
    } catch (err) {
      throw new Error(`cannot read the agent token file ${this.opts.tokenFile}: ${(err as Error).message}`);
    }
  }

  private failed(reason: string, retryAfterSec: number | undefined): void {
    const failures = (this.outage?.attempts ?? 0) + 1;
    const random = (this.opts.random ?? Math.random)();
    this.retryAt = Date.now() + retryDelayMs(failures, random, this.opts.backoff ?? DEFAULT_BACKOFF, retryAfterSec);
    if (!this.outage) {
      this.outage = { since: Date.now(), attempts: 1, reason };
      this.opts.logger.warn(
        { url: this.shownUrl, reason },
        'cannot report to the server; will keep polling and send only the latest snapshot once it answers',
      );
      return;
    }
    this.outage.attempts++;
    if (reason !== this.outage.reason) {
      this.outage.reason = reason;
      this.opts.logger.debug({ url: this.shownUrl, reason }, 'still cannot report to the server');
    }
  }

  private recovered(): void {
    this.retryAt = 0;
    if (!this.outage) return;
    const { since, attempts } = this.outage;
    this.outage = undefined;
    this.opts.logger.info({ url: this.shownUrl, downForMs: Date.now() - since, failedAttempts: attempts }, 'reporting to the server again');
  }
}

/** TLS verification failures: the server's certificate is not signed by a trusted CA, or names another host. */
const UNTRUSTED_CERT = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);

function serverMessage(body: string): string {
  try {
    const m = (JSON.parse(body) as { message?: unknown }).message;
    if (typeof m === 'string') return m.slice(0, 300);
  } catch {
    // not the server's JSON error
  }
  return body.slice(0, 300);
}

function describeFetchError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: string }).code;
  if (code && UNTRUSTED_CERT.has(code)) {
    return `the server's TLS certificate is not trusted (${code}: ${err.message}); set PULLTRACE_SERVER_CA_FILE to the CA that signed it`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `the server's TLS certificate does not name this host (${err.message}); use a server URL the certificate names`;
  }
  if (code === 'CERT_HAS_EXPIRED') return `the server's TLS certificate has expired (${err.message})`;
  return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
}
