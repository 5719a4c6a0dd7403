// One node's report from the pulls of several containerd namespaces. Each entry names its
// namespace (`containerdNamespace`), which the server keys pulls by along with the digest: the
// same image pulled in two namespaces at once is two pulls, shown side by side.
import type { ReportPull } from '../model/index.js';
import { REPORT_LIMITS } from '../model/reportLimits.js';

export interface NamespaceReport {
  namespace: string;
  /** that namespace's report entries, oldest first (NodePulls.report()) */
  pulls: ReportPull[];
}

export function mergeNamespaceReports(perNamespace: NamespaceReport[], maxPulls = REPORT_LIMITS.pulls): ReportPull[] {
  const all = perNamespace
    .flatMap(({ namespace, pulls }) => pulls.map((p) => ({ ...p, containerdNamespace: namespace })))
    .sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''));
  // Past the report's cap, the newest pulls are the ones worth showing (as within one namespace).
  return all.length > maxPulls ? all.slice(all.length - maxPulls) : all;
}

/** The entries of a report that came from one namespace (to tell its pulls what was delivered). */
export function entriesOf(pulls: ReportPull[], namespace: string): ReportPull[] {
  return pulls.filter((p) => p.containerdNamespace === undefined || p.containerdNamespace === namespace);
}
