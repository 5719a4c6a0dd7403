// What a message of the shared report log may be applied as, decided before anything is applied.
// Anyone who can publish to NATS writes this log, so every message is checked as the HTTP API
// checks a request: a report with the very check of POST /api/v1/report (admission/reportCheck.ts),
// for the node its subject names; a Kubernetes action field by field (kube/kubeAction.ts); a tick
// by its shape. Every replica decides alike (the time bounds use the stream's stamp), so replicas
// skip the same messages and keep giving the same event ids.

import type { AgentReport } from '../../model/index.js';
import { REPORT_BODY_LIMIT_BYTES } from '../../model/index.js';
import { reportProblem } from '../admission/reportCheck.js';
import { type KubeAction, parseKubeAction } from '../correlation/kubeAction.js';
import { subjectToken } from './reportSubject.js';

/**
 * Why a message of the log was skipped (the `reason` label of pulltrace_report_log_rejected_total;
 * docs/metrics.md says what each means). A fixed list: a hostile writer cannot add label values.
 */
export const LOG_REJECT_REASONS = [
  'subject',
  'cluster',
  'too_large',
  'not_json',
  'schema',
  'time',
  'node_mismatch',
  'tick',
  'kube_action',
  'limits',
  'capacity',
  'apply_failed',
] as const;
export type LogRejectReason = (typeof LOG_REJECT_REASONS)[number];

export type LogMessage =
  | { kind: 'report'; cluster: string; report: AgentReport }
  | { kind: 'tick'; cluster: string }
  | { kind: 'kubeAction'; cluster: string; action: KubeAction }
  | { kind: 'rejected'; reason: LogRejectReason; message: string };

/** A cluster name as PULLTRACE_CLUSTER takes it (a DNS label), one token of every subject. */
const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A tick says when and who; neither is used (the stream's stamp is the time), both are bounded. */
const MAX_TICK_FIELD_CHARS = 64;

/**
 * What the message on `subject` with body `data` is, checked; `now` is the stream's stamp on it
 * (the same on every replica), against which report times are bounded. Never throws.
 */
export function readLogMessage(subject: string, data: Uint8Array, now: number): LogMessage {
  const tokens = subject.split('.');
  const [root, cluster = '', kind, name] = tokens;
  const known =
    root === 'pulltrace' &&
    ((tokens.length === 4 && (kind === 'report' || kind === 'kube') && name !== '') || (tokens.length === 3 && kind === 'tick'));
  if (!known) return rejected('subject', 'not a subject of the report log (pulltrace.<cluster>.report|tick|kube…)');
  if (!CLUSTER_NAME.test(cluster)) return rejected('cluster', 'the cluster in the subject is not a DNS label');
  if (data.length > REPORT_BODY_LIMIT_BYTES) return rejected('too_large', `the message is over ${REPORT_BODY_LIMIT_BYTES} bytes`);
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');

  if (kind === 'kube') {
    const action = parseKubeAction(text);
    return action ? { kind: 'kubeAction', cluster, action } : rejected('kube_action', 'not a Kubernetes action this server takes');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return rejected('not_json', 'the message is not JSON');
  }
  if (kind === 'tick') {
    return isTickBody(value) ? { kind: 'tick', cluster } : rejected('tick', 'a tick must be {"at": "<time>", "replica": "<id>"}');
  }
  const problem = reportProblem(value, now);
  if (problem) return rejected(problem.reason, problem.message);
  const report = value as AgentReport;
  if (subjectToken(report.nodeName) !== name) return rejected('node_mismatch', 'the report is for another node than its subject names');
  const claimed = (value as { cluster?: unknown }).cluster;
  if (claimed !== undefined && claimed !== cluster) return rejected('cluster', 'the report names another cluster than its subject');
  return { kind: 'report', cluster, report };
}

function isTickBody(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const { at, replica } = v as Record<string, unknown>;
  const short = (x: unknown) => typeof x === 'string' && x.length > 0 && x.length <= MAX_TICK_FIELD_CHARS;
  return short(at) && short(replica);
}

function rejected(reason: LogRejectReason, message: string): LogMessage {
  return { kind: 'rejected', reason, message };
}
