// JetStream subjects of the shared report log: `pulltrace.<cluster>.report.<node>`, one per node,
// so the stream keeps the latest report of each node (max one message per subject), and
// `pulltrace.<cluster>.tick`, the clock ticks that drive stall and node-timeout decisions alike on
// every replica (natsReportLog.ts; only the latest tick is kept).
// A subject token may not hold '.', '*', '>' or spaces; Kubernetes node names do hold dots.
import { createHash } from 'node:crypto';

/** The node name as one subject token: '.' becomes '_' (node names have no '_'), anything else unusual ~XX. */
export function subjectToken(name: string): string {
  return name.replace(/[^A-Za-z0-9-]/g, (c) => (c === '.' ? '_' : `~${c.codePointAt(0)?.toString(16).padStart(2, '0')}`));
}

export function reportSubject(cluster: string, nodeName: string): string {
  return `pulltrace.${cluster}.report.${subjectToken(nodeName)}`;
}

/** Every node's reports of every cluster. */
export const ALL_REPORTS_SUBJECT = 'pulltrace.*.report.*';

/** The cluster a report subject names (cluster names are DNS labels: one token). */
export function clusterOfSubject(subject: string): string {
  return subject.split('.')[1] ?? '';
}

/** The clock ticks of one cluster's replicas. */
export function tickSubject(cluster: string): string {
  return `pulltrace.${cluster}.tick`;
}

/** Every cluster's ticks. */
export const ALL_TICKS_SUBJECT = 'pulltrace.*.tick';

/**
 * A Kubernetes action of one cluster (kubeAction.ts): one subject per action (its message id), so
 * the stream's one-message-per-subject keeps every action until HISTORY_TTL.
 */
export function kubeActionSubject(cluster: string, messageId: string): string {
  return `pulltrace.${cluster}.kube.${messageId}`;
}

/** Every cluster's Kubernetes actions. */
export const ALL_KUBE_ACTIONS_SUBJECT = 'pulltrace.*.kube.*';

export function isKubeActionSubject(subject: string): boolean {
  const parts = subject.split('.');
  return parts.length === 4 && parts[2] === 'kube';
}

/**
 * The message id of an action: every replica watches Kubernetes and decides the same action from
 * the same event, so replicas publish it under the same id and JetStream keeps one.
 */
export function kubeActionMessageId(actionJson: string): string {
  return createHash('sha256').update(actionJson).digest('hex').slice(0, 32);
}

/** Everything the log holds (reports, ticks, Kubernetes actions): what a replica follows. */
export const ALL_LOG_SUBJECTS = 'pulltrace.>';

export function isTickSubject(subject: string): boolean {
  return subject.endsWith('.tick') && subject.split('.').length === 3;
}

/**
 * The message id of a tick (JetStream drops a second message with the same id within its
 * duplicate window): every replica publishes a tick a second, and one per cluster and second is kept.
 */
export function tickMessageId(cluster: string, at: number, tickMs: number): string {
  return `${cluster}.tick.${Math.floor(at / tickMs)}`;
}
