// Times in a report must be believable: after 2000-01-01 and at most 10 minutes ahead of the
// server's clock. Go's zero time ("0001-01-01T00:00:00Z", what the original agent sends for
// "unknown") and an absent or empty value mean unknown and pass.
import { type AgentReport, EARLIEST_TIME_MS, MAX_FUTURE_SKEW_MS } from '../../model/index.js';

const GO_ZERO_TIME = /^0001-01-01T00:00:00(\.0+)?Z$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Why `text` (the field at `path`) is not an acceptable time, or undefined when it is. */
export function timeProblem(path: string, text: string | undefined, now: number): string | undefined {
  if (text === undefined || text === '' || GO_ZERO_TIME.test(text)) return undefined;
  const t = RFC3339.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(t)) return `${path} must be an RFC 3339 time (e.g. 2026-11-27T10:00:00Z)`;
  if (t < EARLIEST_TIME_MS) return `${path} must be after 2000-01-01`;
  if (t > now + MAX_FUTURE_SKEW_MS) return `${path} is more than 10 minutes ahead of the server's clock (check the node's clock)`;
  return undefined;
}

/** The first unacceptable time of a report, named by its field path; undefined when all pass. */
export function reportTimeProblem(report: AgentReport, now: number): string | undefined {
  const top = timeProblem('timestamp', report.timestamp, now);
  if (top) return top;
  for (const [i, p] of report.pulls.entries()) {
    const problem = timeProblem(`pulls[${i}].startedAt`, p.startedAt, now);
    if (problem) return problem;
  }
  return undefined;
}
