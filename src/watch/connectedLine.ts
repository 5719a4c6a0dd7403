// The stderr line `watch` prints once its event stream is live: piped, with nothing pulling, it
// would otherwise print nothing at all, and "connected, nothing yet" would look like "hung".
import { printable } from '../common/index.js';

/** An agent as GET /api/v1/agents lists it (only what this line needs). */
export interface AgentSeen {
  cluster?: unknown;
  state?: unknown;
}

/**
 * `agents` is undefined when the server could not say (an older server without /api/v1/agents):
 * the line then gives the pull count only. `cluster` narrows the agents as --cluster does the pulls.
 */
export function connectedLine(
  where: string,
  pulls: number,
  filtered: boolean,
  agents: readonly AgentSeen[] | undefined,
  cluster = '',
): string {
  const pullText = `${pulls} ${filtered ? 'matching ' : ''}pull${pulls === 1 ? '' : 's'}`;
  return `connected to ${printable(where)}: ${pullText}${agents ? `, ${agentText(agents, cluster)}` : ''}`;
}

function agentText(all: readonly AgentSeen[], cluster: string): string {
  const agents = cluster ? all.filter((a) => a.cluster === cluster) : all;
  if (agents.length === 0) return `no agent has reported yet${cluster ? ` in cluster ${printable(cluster)}` : ''}`;
  const reporting = agents.filter((a) => a.state === 'reporting').length;
  const silent = agents.length - reporting;
  return `${reporting} agent${reporting === 1 ? '' : 's'} reporting${silent > 0 ? `, ${silent} silent` : ''}`;
}

/** Reads the agent list out of a /api/v1/agents answer; undefined when it is not one. */
export function agentsOf(body: unknown): AgentSeen[] | undefined {
  const agents = (body as { agents?: unknown } | null)?.agents;
  return Array.isArray(agents) ? agents.filter((a): a is AgentSeen => typeof a === 'object' && a !== null) : undefined;
}
