// `kubectl pulltrace describe pod/NAME [-n NS]`: the progress and phase breakdown of a pod's image
// pulls, read from the server (GET /api/v1/pulls?namespace=&pod=) through the API server's service
// proxy — the same text the PullProgress Event carries, and it works with PULLTRACE_POD_EVENTS off.
import { printable } from '../common/index.js';
import type { PullStatus } from '../model/index.js';
import { eventMessage, phaseSeconds } from '../server/podEvents/index.js';
import { formatDuration } from '../watch/index.js';

export interface DescribeArgs {
  namespace?: string;
  pod: string;
  /** the plugin's own flags (--kubeconfig, --context, --pulltrace-namespace, --service) */
  extra: Record<string, string>;
}

const OWN_FLAGS = ['kubeconfig', 'context', 'pulltrace-namespace', 'service'];

/** Parses the words after `describe`; throws with a message naming what is wrong. */
export function parseDescribeArgs(argv: readonly string[]): DescribeArgs {
  const words: string[] = [];
  const extra: Record<string, string> = {};
  let namespace: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const m = /^--?([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) {
      words.push(a);
      continue;
    }
    const name = m[1] as string;
    const isNamespace = name === 'n' || name === 'namespace';
    if (!isNamespace && !OWN_FLAGS.includes(name))
      throw new Error(`unknown flag ${a} (describe takes -n/--namespace, ${OWN_FLAGS.map((f) => `--${f}`).join(', ')})`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new Error(`${a} needs a value`);
    if (isNamespace) namespace = value;
    else extra[name] = value;
  }
  const target = words.length === 1 ? words[0] : words.length === 2 ? `${words[0]}/${words[1]}` : undefined;
  const t = target ? /^(?:pod|pods|po)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(target) : null;
  if (!t) throw new Error('usage: kubectl pulltrace describe pod/NAME [-n NAMESPACE]');
  return { pod: t[1] as string, extra, ...(namespace !== undefined ? { namespace } : {}) };
}

/** The text printed for the pod's pulls (those of other pods named alike are left out). */
export function describePodText(pulls: PullStatus[], namespace: string, pod: string, now: number): string {
  const lines: string[] = [];
  for (const pull of pulls) {
    for (const ref of pull.pods.filter((p) => p.namespace === namespace && p.podName === pod)) {
      const kind = pull.status === 'completed' ? 'done' : pull.status === 'failed' ? 'failed' : 'progress';
      lines.push(`  ${printable(ref.container)}: ${eventMessage(kind, pull, ref.image)}`);
      const phases = phaseSeconds(pull, now);
      const parts = [
        phases.queued !== undefined ? `queued ${formatDuration(phases.queued)}` : '',
        phases.downloading !== undefined ? `downloading ${formatDuration(phases.downloading)}` : '',
        phases.unpacking !== undefined ? `unpacking ${formatDuration(phases.unpacking)}` : '',
      ].filter(Boolean);
      lines.push(`    node ${printable(pull.nodeName)}, ${pull.status}; phases: ${parts.join(', ') || 'not known yet'}`);
    }
  }
  if (lines.length === 0) {
    return `Pod ${namespace}/${pod}: no image pull known to the server (its images were already on the node, it waits for none, or its pull finished longer ago than PULLTRACE_HISTORY_TTL)\n`;
  }
  return `Pod ${namespace}/${pod}:\n${lines.join('\n')}\n`;
}
