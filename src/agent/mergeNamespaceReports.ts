// One node's report from the pulls of several containerd namespaces. The server knows a node's
// pulls by digest: the same image pulled in two namespaces at once would be merged into one pull
// there, so the later one waits, as a re-pull in one namespace does, until the earlier is delivered.
import type { ReportPull } from '../model/index.js';
import { REPORT_LIMITS } from '../model/reportLimits.js';

/** `perNamespace`: each namespace's report entries, oldest first (NodePulls.report()). */
export function mergeNamespaceReports(perNamespace: ReportPull[][], maxPulls = REPORT_LIMITS.pulls): ReportPull[] {
  const all = perNamespace.flat().sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''));
  const seen = new Set<string>();
  const out: ReportPull[] = [];
  for (const p of all) {
    const key = p.manifestDigest ?? p.imageRef;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  // Past the report's cap, the newest pulls are the ones worth showing (as within one namespace).
  return out.length > maxPulls ? out.slice(out.length - maxPulls) : out;
}
