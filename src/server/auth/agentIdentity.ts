// What a TokenReview answer proves about an agent (pure). The API server says whether the token is
// valid for the audience `pulltrace`; this decides whether it is one of the agents' ServiceAccounts
// and which node it may report for: the node named in the token (pod-bound tokens carry
// `authentication.kubernetes.io/node-name` from Kubernetes 1.30), else the pod it is bound to,
// whose node the server looks up in the pods it watches.
import type { ServiceAccountRef } from '../../config/index.js';

export const AGENT_AUDIENCE = 'pulltrace';
export const NODE_NAME_EXTRA = 'authentication.kubernetes.io/node-name';
export const POD_NAME_EXTRA = 'authentication.kubernetes.io/pod-name';
export const POD_UID_EXTRA = 'authentication.kubernetes.io/pod-uid';

/** The parts of a TokenReview status this reads (authentication.k8s.io/v1). */
export interface TokenReviewStatus {
  authenticated?: boolean;
  audiences?: string[];
  error?: string;
  user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
}

export type AgentIdentity =
  | { kind: 'node'; serviceAccount: string; nodeName: string }
  | { kind: 'pod'; serviceAccount: string; namespace: string; podName: string; podUid?: string }
  | { kind: 'unauthenticated'; message: string }
  | { kind: 'forbidden'; message: string };

const SA_PREFIX = 'system:serviceaccount:';

function firstExtra(status: TokenReviewStatus, key: string): string | undefined {
  const v = status.user?.extra?.[key]?.[0];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function identityFromReview(status: TokenReviewStatus, allowed: readonly ServiceAccountRef[]): AgentIdentity {
  if (status.authenticated !== true) {
    return { kind: 'unauthenticated', message: 'the agent token is invalid or expired (TokenReview did not authenticate it)' };
  }
  // The API server only authenticates a token for an audience it carries; an empty list means the
  // API server's own audience, which is not ours.
  if (!(status.audiences ?? []).includes(AGENT_AUDIENCE)) {
    return { kind: 'unauthenticated', message: `the agent token is not issued for the audience "${AGENT_AUDIENCE}"` };
  }
  const username = status.user?.username ?? '';
  if (!username.startsWith(SA_PREFIX)) {
    return { kind: 'forbidden', message: 'the token is not a ServiceAccount token; agents use their projected ServiceAccount token' };
  }
  const [namespace = '', name = '', ...rest] = username.slice(SA_PREFIX.length).split(':');
  const serviceAccount = `${namespace}:${name}`;
  if (rest.length > 0 || !allowed.some((a) => a.namespace === namespace && a.name === name)) {
    return {
      kind: 'forbidden',
      message: `ServiceAccount ${serviceAccount} may not report (allowed: ${allowed.map((a) => `${a.namespace}:${a.name}`).join(', ')})`,
    };
  }
  const nodeName = firstExtra(status, NODE_NAME_EXTRA);
  if (nodeName) return { kind: 'node', serviceAccount, nodeName };
  const podName = firstExtra(status, POD_NAME_EXTRA);
  if (podName) {
    const podUid = firstExtra(status, POD_UID_EXTRA);
    return { kind: 'pod', serviceAccount, namespace, podName, ...(podUid ? { podUid } : {}) };
  }
  return {
    kind: 'forbidden',
    message: 'the token is bound to no pod or node; mount a projected ServiceAccount token (audience pulltrace) in the agent pod',
  };
}

/** The exact refusal for a report about another node than the token's. */
export function nodeMismatchMessage(tokenNode: string, reportNode: string): string {
  return `token is bound to node ${tokenNode}, report is for ${reportNode}`;
}
