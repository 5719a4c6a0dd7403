// The shared report log on NATS JetStream (`PULLTRACE_BUS=nats://…`): every report this replica
// accepts is appended to the stream PULLTRACE_REPORTS under `pulltrace.<cluster>.report.<node>`
// (one message kept per subject, for HISTORY_TTL); every replica reads the stream and applies
// every report, its own included, in stream order to its tracker. Reports are full snapshots, so
// every replica holds the same live state (state-machine replication) and, numbering events by
// stream sequence (streamEventIds.ts), emits the same events under the same ids.
//
// Time: every message is applied with the time JetStream stamped on it when it stored it (one
// clock, the NATS server's, the same on every replica), never the replica's own clock. Timer
// decisions (a pull stalled, a node silent past PULLTRACE_NODE_TIMEOUT, a pull turning slow) come
// from ticks in the same stream: every replica publishes `pulltrace.<cluster>.tick` once a second
// with a message id per cluster and second, so JetStream keeps one tick per second however many
// replicas there are; every replica applies each tick of its own cluster, in stream order, as
// `tracker.tick(stamp)` (other clusters' ticks are skipped alike by all of its replicas).
// So every replica takes the same timer decisions at the same point of the stream, and their
// events get the same ids (streamEventIds.ts). See docs/adr/0006-timers-from-the-stream.md.
// When no tick has come from the log for TICK_SILENCE_MS (NATS away, the stream unwritable) the
// replica ticks on its own clock, as a single server does, and says so once each way.
// Kubernetes actions (kube/kubeAction.ts: what kubelet does to a pull) are appended under
// `pulltrace.<cluster>.kube.<id>`, one subject per action, with the action's id as message id:
// every replica decides the same action from the same kubelet Event, JetStream keeps one, and
// every replica of the cluster applies it in stream order.
//
// Appending a report is refused (CapacityError, ReportLimitError) when the tracker could not take
// it, exactly as a single server refuses it (reportLog.ts); once the stream has it, the append
// resolves when this replica has applied it (or after APPEND_TIMEOUT_MS).
//
// Start: the latest report of every node is read before the replica says it is ready.
// NATS unreachable: reports are still accepted and applied locally; the latest unsent report of
// each node is kept and published when NATS is back; the log says so once each way, and /readyz
// carries the state in its body.
import { randomBytes } from 'node:crypto';
import {
  type ConsumerMessages,
  DeliverPolicy,
  headers,
  type JetStreamClient,
  type NatsConnection,
  nanos,
  RetentionPolicy,
  StorageType,
} from 'nats';
import { maskUrlSecrets } from '../../common/index.js';
import type { FaultReporter, Logger } from '../../log/index.js';
import type { AgentReport } from '../../model/index.js';
import type { KubeAction } from '../correlation/kubeAction.js';
import { CapacityError, ReportLimitError } from '../tracker/pullTracker.js';
import type { Applier } from './applier.js';
import { CREDENTIALS_HINT, connectWhenAnswered, describeNatsError, isNatsAuthCode } from './connectNats.js';
import { type LogRejectReason, readLogMessage } from './logMessage.js';
import { type BusFiles, natsConnectOptions } from './natsConnectOptions.js';
import type { ReportLog } from './reportLog.js';
import {
  ALL_KUBE_ACTIONS_SUBJECT,
  ALL_LOG_SUBJECTS,
  ALL_REPORTS_SUBJECT,
  ALL_TICKS_SUBJECT,
  kubeActionMessageId,
  kubeActionSubject,
  reportSubject,
  tickMessageId,
  tickSubject,
} from './reportSubject.js';

export const REPORT_STREAM = 'PULLTRACE_REPORTS';
/** Header naming the replica that published a report (it applied the report already). */
const REPLICA_HEADER = 'Pulltrace-Replica';
/** How long start-up waits for NATS before serving without it (and saying so). */
export const FIRST_CONNECT_TIMEOUT_MS = 10_000;
/** How long a report waits for the stream's acknowledgement before it is applied locally instead. */
const APPEND_TIMEOUT_MS = 2_000;
/** How often every replica publishes a tick (one per cluster and period is kept). */
export const LOG_TICK_MS = 1_000;
/** No tick applied from the log for this long: timers run on this replica's clock until ticks are back. */
export const TICK_SILENCE_MS = 3_000;

export interface NatsReportLogOptions {
  /** PULLTRACE_BUS, credentials included (natsConnectOptions.ts); shown only through maskUrlSecrets */
  url: string;
  /** the .creds, CA, certificate and key files of the PULLTRACE_BUS_*_FILE settings, read at start-up */
  files?: BusFiles;
  cluster: string;
  /** how long the stream keeps a node's latest report (PULLTRACE_HISTORY_TTL) */
  maxAgeMs: number;
  /**
   * applies what the log carries: every report (any replica's, this one's too; any cluster's), this
   * cluster's ticks and Kubernetes actions, at their stream sequence and with the time the stream
   * stamped on them (the same on every replica); and, while NATS is away, what is appended here
   */
  applier: Applier;
  /** an exception in a tick on this replica's own clock is reported here */
  onFault?: FaultReporter;
  logger: Logger;
  now?: () => number;
}

export class NatsReportLog implements ReportLog {
  /** this process, so its own reports read back from the stream are not applied twice */
  readonly replicaId = randomBytes(8).toString('hex');
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private messages: ConsumerMessages | undefined;
  private connected = false;
  private synced = false;
  private closed = false;
  /** latest report of each node not yet in the stream (NATS was away) */
  private readonly unsent = new Map<string, AgentReport>();
  private publishedTotal = 0;
  /** NATS did not answer within the start-up wait: this replica serves alone until it does */
  private servesAlone = false;
  private appliedTotal = 0;
  private ticksPublished = 0;
  private ticksApplied = 0;
  /** messages of the log skipped, by reason, and the reasons already said in the log */
  private readonly rejected = new Map<LogRejectReason, number>();
  private readonly rejectionsLogged = new Set<LogRejectReason>();
  /** messages in the stream not yet applied here, as of the last one applied */
  private pending = 0;
  /** the log's clock: the newest stream stamp applied (stamps only move forward here) */
  private logClock = 0;
  /** this replica's clock when it last applied a tick from the log (or synced) */
  private lastTickAppliedAt = 0;
  /** whether timers currently follow the log's ticks (for the one log line per change) */
  private timersFollowLog = false;
  private tickTimer: NodeJS.Timeout | undefined;
  /** ticks on this replica's clock while the log's are missing (timersFromLog) */
  private ownTickTimer: NodeJS.Timeout | undefined;
  /** the stream sequence of the last message applied here, and appends waiting to see theirs applied */
  private appliedSeq = 0;
  private readonly seqWaiters = new Set<{ seq: number; done: () => void }>();
  /** why the last attempt to connect failed (for the start-up warning) */
  private lastConnectProblem: string | undefined;
  private readonly logger: Logger;
  private readonly now: () => number;

  constructor(private readonly options: NatsReportLogOptions) {
    this.logger = options.logger.child({ component: 'report-log' });
    this.now = options.now ?? Date.now;
  }

  /**
   * Connects, makes sure the stream exists and reads the latest report of every node. Resolves when
   * that is done, or after FIRST_CONNECT_TIMEOUT_MS without NATS (the log then keeps trying).
   */
  static async start(options: NatsReportLogOptions, firstConnectTimeoutMs = FIRST_CONNECT_TIMEOUT_MS): Promise<NatsReportLog> {
    const log = new NatsReportLog(options);
    await log.open(firstConnectTimeoutMs);
    return log;
  }

  /** See start(); ticks on this replica's clock whenever the log's are missing. */
  async open(firstConnectTimeoutMs = FIRST_CONNECT_TIMEOUT_MS): Promise<void> {
    const options = this.options;
    let failedEarly: Error | undefined;
    let waiting = true;
    const started = this.run().catch((err: Error) => {
      if (waiting) failedEarly = err;
      else this.logger.error({ err: err.message }, 'shared report log stopped; this replica serves the reports it accepts only');
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), firstConnectTimeoutMs);
    });
    const first = await Promise.race([started.then(() => 'synced' as const), timedOut]);
    clearTimeout(timer);
    waiting = false;
    if (failedEarly) {
      await this.close();
      throw new Error(`PULLTRACE_BUS ${redactUrl(options.url)}: ${describeNatsError(failedEarly).reason}`);
    }
    if (first === 'timeout') {
      this.servesAlone = true;
      this.logger.warn(
        { bus: redactUrl(options.url), reason: this.lastConnectProblem },
        'NATS unreachable at start; serving and accepting reports locally, will join the shared report log when it answers',
      );
    }
    this.ownTickTimer = setInterval(() => this.tickHereIfLogSilent(), LOG_TICK_MS);
  }

  /** With a shared report log its ticks drive the timers; this replica's clock only while the log is silent. */
  private tickHereIfLogSilent(): void {
    try {
      if (!this.timersFromLog()) this.options.applier.tick(this.now());
    } catch (err) {
      this.options.onFault?.('tick', err);
    }
  }

  async appendReport(report: AgentReport): Promise<void> {
    const refused = this.options.applier.refusal(report);
    if (refused) throw refused;
    const seq = await this.append(report);
    if (seq === undefined) this.options.applier.report(report, this.now());
    else await this.applied(seq);
  }

  appendKubeAction(action: KubeAction): void {
    void this.publishKubeAction(action).then((appended) => {
      if (appended) return;
      try {
        this.options.applier.kubeAction(action, this.now());
      } catch (err) {
        this.options.onFault?.('kubernetes action', err);
      }
    });
  }

  /** Resolves once the message at `seq` is applied here, or after APPEND_TIMEOUT_MS. */
  private applied(seq: number): Promise<void> {
    if (this.appliedSeq >= seq || this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waiter = {
        seq,
        done: () => {
          clearTimeout(timer);
          this.seqWaiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.done, APPEND_TIMEOUT_MS);
      this.seqWaiters.add(waiter);
    });
  }

  /** Whether this replica holds every node's latest report from the stream (or serves alone without NATS). */
  get isSynced(): boolean {
    return this.synced || this.servesAlone;
  }

  /** One line for /readyz: the state of the shared report log. */
  detail(): string {
    if (!this.connected) return 'report log: NATS unreachable; serving reports accepted here only';
    if (!this.synced) return 'report log: reading the latest report of every node';
    return 'report log: NATS JetStream in sync';
  }

  get counts(): { published: number; applied: number; unsent: number; ticksPublished: number; ticksApplied: number; pending: number } {
    return {
      published: this.publishedTotal,
      applied: this.appliedTotal,
      unsent: this.unsent.size,
      ticksPublished: this.ticksPublished,
      ticksApplied: this.ticksApplied,
      pending: this.pending,
    };
  }

  /** Messages of the log skipped since start, by reason (pulltrace_report_log_rejected_total). */
  rejectedCounts(): ReadonlyMap<LogRejectReason, number> {
    return this.rejected;
  }

  /** Connected to NATS (the log can be written and read now). */
  get isConnected(): boolean {
    return this.connected && !this.closed;
  }

  /** Whether stall and node timeouts followed the log's ticks at the last check (timersFromLog). */
  get timersShared(): boolean {
    return this.timersFollowLog;
  }

  /**
   * Whether the log's ticks drive the timers now (true) or this replica must tick on its own clock
   * (false: NATS away, or no tick applied for TICK_SILENCE_MS). Logs each change once.
   */
  timersFromLog(): boolean {
    const follow = this.connected && this.synced && !this.closed && this.now() - this.lastTickAppliedAt <= TICK_SILENCE_MS;
    if (follow !== this.timersFollowLog) {
      this.timersFollowLog = follow;
      if (follow) this.logger.info('stall and node timeouts follow the shared log: every replica decides them alike');
      else
        this.logger.warn(
          { silentMs: TICK_SILENCE_MS },
          "no tick from the shared log: stall and node timeouts are decided by this replica's clock (its own event ids) until the log is back",
        );
    }
    return follow;
  }

  /**
   * Publishes a report this replica accepted. Its stream sequence once the stream has it (it is
   * applied here when read back, in stream order, like on every replica); undefined when NATS is
   * away: it is applied here now, and the latest report of each node is sent when NATS is back.
   */
  private async append(report: AgentReport): Promise<number | undefined> {
    if (this.closed) return undefined;
    if (!this.connected || !this.js || !this.synced) {
      this.unsent.set(report.nodeName, report);
      return undefined;
    }
    try {
      const ack = await this.js.publish(reportSubject(this.options.cluster, report.nodeName), JSON.stringify(report), {
        headers: this.replicaHeaders(),
        timeout: APPEND_TIMEOUT_MS,
      });
      this.publishedTotal++;
      return ack.seq;
    } catch (err) {
      this.unsent.set(report.nodeName, report);
      this.logger.debug({ err: (err as Error).message, nodeName: report.nodeName }, 'report not appended to the shared log; applied here');
      return undefined;
    }
  }

  /**
   * Appends a Kubernetes action this replica decided. Every replica watches Kubernetes and decides
   * the same action from the same kubelet Event, under the same message id: JetStream keeps one,
   * and every replica applies it when read back. False when NATS is away: the caller applies it here.
   */
  private async publishKubeAction(action: KubeAction): Promise<boolean> {
    if (this.closed || !this.connected || !this.js || !this.synced) return false;
    const json = JSON.stringify(action);
    const id = kubeActionMessageId(`${this.options.cluster}:${json}`);
    try {
      await this.js.publish(kubeActionSubject(this.options.cluster, id), json, { msgID: id, timeout: APPEND_TIMEOUT_MS });
      return true;
    } catch (err) {
      this.logger.debug(
        { err: (err as Error).message, action: action.kind },
        'Kubernetes action not appended to the shared log; applied here',
      );
      return false;
    }
  }

  private replicaHeaders() {
    const h = headers();
    h.set(REPLICA_HEADER, this.replicaId);
    return h;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.tickTimer);
    clearInterval(this.ownTickTimer);
    for (const waiter of [...this.seqWaiters]) waiter.done();
    this.messages?.stop();
    if (this.nc && !this.nc.isClosed()) await this.nc.drain().catch(() => this.nc?.close());
  }

  private send(report: AgentReport): void {
    const subject = reportSubject(this.options.cluster, report.nodeName);
    this.js?.publish(subject, JSON.stringify(report), { headers: this.replicaHeaders() }).then(
      () => {
        this.publishedTotal++;
      },
      (err: Error) => {
        // Keep it for the resynchronisation, unless a newer report of the node is already waiting.
        if (!this.unsent.has(report.nodeName)) this.unsent.set(report.nodeName, report);
        this.logger.debug({ err: err.message, nodeName: report.nodeName }, 'report not appended to the shared log; kept to send again');
      },
    );
  }

  private async run(): Promise<void> {
    const nc = await connectWhenAnswered(
      {
        ...natsConnectOptions(this.options.url, this.options.files ?? {}),
        name: `pulltrace-${this.replicaId}`,
        reconnect: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1000,
      },
      () => this.closed,
      (reason) => {
        this.lastConnectProblem = reason;
      },
    );
    if (!nc) return;
    if (this.closed) {
      await nc.close();
      return;
    }
    this.nc = nc;
    this.connected = true;
    void this.watchStatus(nc);
    await this.ensureStream(nc);
    this.js = nc.jetstream();
    await this.consume(nc);
    this.resend();
    this.tickTimer = setInterval(() => this.publishTick(), LOG_TICK_MS);
    this.tickTimer.unref();
  }

  /** One tick of this cluster per LOG_TICK_MS is kept, whichever replica's comes first (the others are duplicates). */
  private publishTick(): void {
    if (this.closed || !this.connected || !this.synced || !this.js) return;
    const at = this.now();
    const { cluster } = this.options;
    this.js
      .publish(tickSubject(cluster), JSON.stringify({ at: new Date(at).toISOString(), replica: this.replicaId }), {
        msgID: tickMessageId(cluster, at, LOG_TICK_MS),
        timeout: APPEND_TIMEOUT_MS,
      })
      .then(
        (ack) => {
          if (!ack.duplicate) this.ticksPublished++;
        },
        (err: Error) => this.logger.debug({ err: err.message }, 'tick not appended to the shared log'),
      );
  }

  private async ensureStream(nc: NatsConnection): Promise<void> {
    const jsm = await nc.jetstreamManager();
    const config = {
      name: REPORT_STREAM,
      subjects: [ALL_REPORTS_SUBJECT, ALL_TICKS_SUBJECT, ALL_KUBE_ACTIONS_SUBJECT],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_msgs_per_subject: 1,
      max_age: nanos(this.options.maxAgeMs),
    };
    try {
      await jsm.streams.info(REPORT_STREAM);
      // A stream made by an earlier release has no tick subject: added here.
      await jsm.streams.update(REPORT_STREAM, { subjects: config.subjects, max_age: config.max_age, max_msgs_per_subject: 1 });
    } catch {
      await jsm.streams.add(config).catch(async (err: Error) => {
        // Another replica created it in between.
        await jsm.streams.info(REPORT_STREAM).catch(() => {
          throw err;
        });
      });
    }
  }

  /** Reads the latest report of every node of this cluster, then follows the stream. */
  private async consume(nc: NatsConnection): Promise<void> {
    const js = nc.jetstream();
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(REPORT_STREAM);
    const lastAtStart = info.state.last_seq;
    const consumer = await js.consumers.get(REPORT_STREAM, {
      // Every cluster's reports and ticks: a server whose NATS carries several clusters shows them
      // all, and every server on one NATS applies the same ticks.
      filterSubjects: ALL_LOG_SUBJECTS,
      deliver_policy: DeliverPolicy.LastPerSubject,
    });
    const messages = await consumer.consume();
    this.messages = messages;
    let markSynced: () => void = () => {};
    const syncedAtStart = new Promise<void>((resolve) => {
      markSynced = resolve;
    });
    // The latest message of the stream is the latest of its subject, so reaching it (or a later
    // one) means every node's latest report of this cluster has been seen; an empty stream (or
    // another cluster's messages only) is complete at once after a pending check.
    const pending = (await consumer.info()).num_pending;
    if (lastAtStart === 0 || pending === 0) {
      this.markSynced();
      markSynced();
    }
    void (async () => {
      for await (const m of messages) {
        // The stream's stamp (ns), kept from moving backwards: the same sequence of times on every replica.
        this.logClock = Math.max(this.logClock, Math.floor(m.info.timestampNanos / 1e6));
        this.pending = m.info.pending;
        this.applyMessage(m.subject, m.data, m.seq);
        this.markApplied(m.seq);
        this.markSyncedIfCaughtUp(m.seq, lastAtStart, m.info.pending, markSynced);
      }
    })();
    await syncedAtStart;
  }

  /**
   * Applies one message of the log, checked first (logMessage.ts): a message that fails the check,
   * or that the tracker refuses, is skipped and counted by reason. Never throws: the log is read
   * by one loop, and one bad message must not stop this replica from following it.
   */
  private applyMessage(subject: string, data: Uint8Array, seq: number): void {
    const msg = readLogMessage(subject, data, this.logClock);
    const own = msg.kind !== 'rejected' && msg.cluster === this.options.cluster;
    try {
      switch (msg.kind) {
        case 'rejected':
          this.reject(msg.reason, msg.message, subject);
          return;
        case 'kubeAction':
          // This cluster's only, like ticks: another cluster's servers apply their own.
          if (own) this.options.applier.kubeAction(msg.action, this.logClock, seq);
          return;
        case 'tick':
          // Only this cluster's ticks: its replicas agree among themselves (they all skip the same
          // others), and a server on a NATS shared by many clusters ticks once a second.
          if (!own) return;
          // A tick whose decisions fail is still the log's clock: timers keep following it.
          this.ticksApplied++;
          this.lastTickAppliedAt = this.now();
          this.options.applier.tick(this.logClock, seq);
          return;
        case 'report':
          this.options.applier.report(msg.report, this.logClock, seq, msg.cluster);
          this.appliedTotal++;
          return;
      }
    } catch (err) {
      // e.g. a capacity limit of this replica; the message stays in the log for the others
      const reason = err instanceof CapacityError ? 'capacity' : err instanceof ReportLimitError ? 'limits' : 'apply_failed';
      this.reject(reason, (err as Error).message, subject);
    }
  }

  private markApplied(seq: number): void {
    this.appliedSeq = Math.max(this.appliedSeq, seq);
    for (const waiter of [...this.seqWaiters]) if (waiter.seq <= this.appliedSeq) waiter.done();
  }

  /** Counts a skipped message; says so once per reason (a flood of them is one line, and the metric). */
  private reject(reason: LogRejectReason, message: string, subject: string): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
    if (this.rejectionsLogged.has(reason)) return;
    this.rejectionsLogged.add(reason);
    this.logger.warn(
      { reason, why: message, subject },
      'message of the shared report log skipped, nothing applied; further ones for this reason are only counted (pulltrace_report_log_rejected_total)',
    );
  }

  private markSyncedIfCaughtUp(seq: number, lastAtStart: number, pending: number, resolve: () => void): void {
    if (this.synced || (seq < lastAtStart && pending !== 0)) return;
    this.markSynced();
    this.logger.info({ applied: this.appliedTotal }, 'read the latest report of every node from the shared report log');
    resolve();
  }

  /** Complete; ticks get TICK_SILENCE_MS from now to start arriving before timers fall back to this clock. */
  private markSynced(): void {
    this.synced = true;
    this.lastTickAppliedAt = this.now();
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' && this.connected) {
        this.connected = false;
        this.logger.warn(
          { bus: redactUrl(this.options.url) },
          'NATS unreachable; accepting reports locally and keeping the latest of each node to send when it is back',
        );
      } else if (s.type === 'error' && isNatsAuthCode(s.data)) {
        // The client gives up after two refusals in a row: without this line it would look like an outage.
        this.logger.error(
          { bus: redactUrl(this.options.url), reason: s.data },
          `NATS refused this server's credentials; ${CREDENTIALS_HINT}`,
        );
      } else if (s.type === 'reconnect') {
        this.connected = true;
        this.logger.info({ unsent: this.unsent.size }, 'NATS reachable again; sending the reports kept meanwhile');
        this.resend();
      }
    }
  }

  private resend(): void {
    const reports = [...this.unsent.values()];
    this.unsent.clear();
    for (const r of reports) this.send(r);
  }
}

function redactUrl(url: string): string {
  return maskUrlSecrets(url);
}
