// JetStream subjects of the shared report log: `pulltrace.<cluster>.report.<node>`, one per node,
// so the stream keeps the latest report of each node (max one message per subject).
// A subject token may not hold '.', '*', '>' or spaces; Kubernetes node names do hold dots.

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
