// Pull ids that every replica computes alike: a hash of the cluster, the node, the pull's key
// (manifest digest or image reference) and the time the agent says the pull started. Replicas
// applying the same reports then name a pull the same, so history upserts one row and a viewer
// moving between replicas sees the same ids. Without an agent start time (the original agent)
// there is nothing shared to derive from, and the id is random as before.
import { createHash, randomBytes } from 'node:crypto';

/** 16 hex characters, like the random ids. */
export function pullIdFor(cluster: string, nodeName: string, key: string, agentStartedAt: number | undefined): string {
  if (agentStartedAt === undefined) return randomPullId();
  return createHash('sha256').update(`${cluster}\0${nodeName}\0${key}\0${agentStartedAt}`).digest('hex').slice(0, 16);
}

export function randomPullId(): string {
  return randomBytes(8).toString('hex');
}
