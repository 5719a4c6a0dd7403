// What an empty pull list or image view says. "No agent reports", "agents report but nothing is
// pulling" and "your filters hide everything" look alike as an empty list; each gets its own words.

/** Agents as GET /api/v1/agents last answered; undefined while not known (first fetch, or it failed). */
export interface AgentCount {
  reporting: number;
  total: number;
}

export type EmptyKind = 'no-agent' | 'agents-silent' | 'idle' | 'filtered' | 'unknown';

export interface EmptyState {
  kind: EmptyKind;
  text: string;
}

/** `pullsKnown`: pulls the page holds before filtering; the list shown is empty. */
export function emptyState(pullsKnown: number, agents: AgentCount | undefined): EmptyState {
  if (pullsKnown > 0) {
    return { kind: 'filtered', text: `No pull matches these filters (${pullsKnown} ${pullsKnown === 1 ? 'pull' : 'pulls'} hidden).` };
  }
  if (agents === undefined) return { kind: 'unknown', text: 'No pulls right now. Pulls appear here as soon as a node starts one.' };
  if (agents.total === 0) {
    return {
      kind: 'no-agent',
      text:
        'No agent has reported yet, so no pull can show here. Check that the agent runs on your nodes ' +
        '(kubectl get daemonset, or a local containerd for pulltrace standalone) and that its log shows no error reaching this server.',
    };
  }
  if (agents.reporting === 0) {
    return {
      kind: 'agents-silent',
      text: `No agent is reporting: all ${agents.total} went silent. Pulls on their nodes are not seen until they report again; check the agents' logs.`,
    };
  }
  const n = agents.reporting;
  return {
    kind: 'idle',
    text: `${n} ${n === 1 ? 'agent' : 'agents'} reporting, no pull right now. Pulls appear here as soon as a node starts one.`,
  };
}
