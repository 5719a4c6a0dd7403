// Who is posting a report (PULLTRACE_AGENT_AUTH). `kubernetes`: the agent's projected
// ServiceAccount token, checked by TokenReview and bound to one node, so an agent (or anything
// holding its token) can speak only for its own node. `token`: one shared secret, which proves
// "an agent" but not which node. `none`: anyone who can reach the port. Runs as hooks on the
// report route (src/server/http/agentAuthHooks.ts): the token before the body is read, the node
// once the body is validated. A refusal is an AuthRefusal; the HTTP layer decides what it answers.
import type { AgentAuthMode, ServiceAccountRef } from '../../config/index.js';
import type { PodFacts, TokenReviewer } from '../../k8s/index.js';
import type { Logger } from '../../log/index.js';
import { AGENT_AUDIENCE, type AgentIdentity, identityFromReview } from './agentIdentity.js';
import { AuthRefusal } from './authRefusal.js';
import { ConcurrencyLimit } from './concurrencyLimit.js';
import { ReviewBudget } from './reviewBudget.js';
import { ReviewCache, tokenHash } from './reviewCache.js';
import { ReviewOutage } from './reviewOutage.js';
import { bearerMatches } from './tokenCheck.js';
import { tokenExpiryMs } from './tokenExpiry.js';

/** What the server knows about the sender of a report. */
export interface AgentPrincipal {
  mode: AgentAuthMode;
  /** the node the sender may report for (kubernetes mode); undefined = not bound to a node */
  nodeName?: string;
  /** namespace:name (kubernetes mode) */
  serviceAccount?: string;
}

export interface AgentAuthenticator {
  readonly mode: AgentAuthMode;
  /**
   * The sender of the request, or an AuthRefusal. `requester`: the connection's
   * address, charged for the reviews of tokens the server does not know yet.
   */
  authenticate(authorization: string | undefined, requester?: string): Promise<AgentPrincipal>;
  /** true while agents' tokens cannot be checked and their last positive answers are used (kubernetes mode) */
  degraded?: () => boolean;
}

/** Longest bearer token looked at (projected tokens are about 1 KiB). */
const MAX_TOKEN_CHARS = 16_384;
const OUTAGE_RETRY_AFTER_S = 5;
const BUSY_RETRY_AFTER_S = 1;
const AGENT_RETRY_JITTER_MS = 1_000;
/** Reviews in flight at once, and reports waiting for a turn beyond that (then 503). */
const MAX_CONCURRENT_REVIEWS = 16;
const MAX_WAITING_REVIEWS = 64;
/** The per-address review budget of servers built without one (tests). */
const DEFAULT_REVIEW_RATE = 5;

const unauthorized = (reason: string) => new AuthRefusal('unauthenticated', reason);
const forbidden = (reason: string) => new AuthRefusal('forbidden', reason);

export function noAuth(): AgentAuthenticator {
  return { mode: 'none', authenticate: async () => ({ mode: 'none' }) };
}

export function sharedTokenAuth(token: string): AgentAuthenticator {
  return {
    mode: 'token',
    async authenticate(authorization) {
      if (!bearerMatches(authorization, token)) {
        throw unauthorized('missing or wrong bearer token (Authorization: Bearer <PULLTRACE_AGENT_TOKEN>)');
      }
      return { mode: 'token' };
    },
  };
}

export interface KubernetesAuthOptions {
  review: TokenReviewer;
  serviceAccounts: readonly ServiceAccountRef[];
  /** a watched pod, for tokens bound to a pod but not to a node (Kubernetes before 1.30) */
  podFacts: (namespace: string, name: string) => PodFacts | undefined;
  logger: Logger;
  now?: () => number;
  cache?: ReviewCache<AgentIdentity>;
  /** reviews of unknown tokens per second one address may cause (PULLTRACE_AGENT_REVIEW_RATE; burst of twice that) */
  reviewRate?: number;
  /**
   * A report was refused only because TokenReview is down; `retryAt` is when its sender was told to
   * come back. The node behind it cannot be known, so node timeouts wait (PullTracker.holdNodeTimeouts).
   */
  onOutageRefusal?: (retryAt: number) => void;
}

/** A review could not even start: too many are running and waiting. */
class ReviewsBusy extends Error {}

export function kubernetesAuth(options: KubernetesAuthOptions): AgentAuthenticator {
  const now = options.now ?? Date.now;
  const cache = options.cache ?? new ReviewCache<AgentIdentity>();
  const budget = new ReviewBudget(options.reviewRate ?? DEFAULT_REVIEW_RATE);
  const slots = new ConcurrencyLimit(MAX_CONCURRENT_REVIEWS, MAX_WAITING_REVIEWS);
  const outage = new ReviewOutage();
  // one TokenReview per token at a time, however many reports wait on it
  const inFlight = new Map<string, Promise<AgentIdentity>>();

  let lastFailure = '';
  const reviewFailed = (reason: string) => {
    lastFailure = reason;
    if (outage.failed(now())) {
      options.logger.warn(
        { reason },
        'cannot check agent tokens: TokenReview failed; agents whose token was reviewed before are accepted on that answer until the token expires, unknown tokens are refused with 503, and node timeouts wait until TokenReview answers',
      );
    }
  };
  const reviewAnswered = () => {
    const downMs = outage.answered(now());
    if (downMs !== undefined) options.logger.info({ downMs }, 'TokenReview answers again; agent tokens are checked again');
  };

  const identify = (token: string, key: string): Promise<AgentIdentity> => {
    const running = inFlight.get(key);
    if (running) return running;
    const review = slots.run(() =>
      options.review(token, [AGENT_AUDIENCE]).then(
        (status) => {
          reviewAnswered();
          const identity = identityFromReview(status, options.serviceAccounts);
          const positive = identity.kind === 'node' || identity.kind === 'pod';
          cache.set(key, identity, now(), positive, tokenExpiryMs(token));
          return identity;
        },
        (err: Error) => {
          reviewFailed(err.message);
          throw err;
        },
      ),
    );
    if (!review) return Promise.reject(new ReviewsBusy());
    outage.trying(now());
    const settled = review.finally(() => inFlight.delete(key));
    inFlight.set(key, settled);
    return settled;
  };

  const outageRefusal = (reason: string) => {
    // the agent retries after Retry-After plus up to 1 s of jitter (src/agent/backoff.ts)
    options.onOutageRefusal?.(now() + OUTAGE_RETRY_AFTER_S * 1000 + AGENT_RETRY_JITTER_MS);
    return new AuthRefusal(
      'unavailable',
      `cannot check the agent's identity right now (TokenReview: ${reason}); retry later`,
      OUTAGE_RETRY_AFTER_S,
    );
  };

  // A token reviewed positively before, past its freshness but not its expiry: reviewed again, and
  // while TokenReview cannot answer (or too many reviews run) its last answer stands.
  const revalidate = async (token: string, key: string, last: AgentIdentity): Promise<AgentIdentity> => {
    if (!outage.mayTry(now())) return last;
    if (outage.active) {
      // the probe of a recovering API server: in the background, the agent is answered now
      identify(token, key).catch(() => undefined);
      return last;
    }
    try {
      return await identify(token, key);
    } catch {
      return last;
    }
  };

  // A token the server has no answer for: charged to the address, then reviewed.
  const firstReview = async (token: string, key: string, requester: string): Promise<AgentIdentity> => {
    const joined = inFlight.get(key);
    if (joined) return joined.catch((err: Error) => Promise.reject(outageRefusal(err.message)));
    // no review while TokenReview is down and not due for a try: nothing to charge either
    if (!outage.mayTry(now())) throw outageRefusal(lastFailure);
    const wait = budget.charge(requester, now());
    if (wait > 0) {
      throw new AuthRefusal('reviewRate', `too many unknown agent tokens from this address; retry in ${wait}s`, wait);
    }
    try {
      return await identify(token, key);
    } catch (err) {
      if (err instanceof ReviewsBusy) {
        throw new AuthRefusal('unavailable', 'too many agent tokens are being checked right now; retry later', BUSY_RETRY_AFTER_S);
      }
      throw outageRefusal((err as Error).message);
    }
  };

  return {
    mode: 'kubernetes',
    degraded: () => outage.active,
    async authenticate(authorization, requester = 'unknown') {
      const m = /^Bearer ([^\s]+)$/.exec(authorization ?? '');
      if (!m || (m[1] as string).length > MAX_TOKEN_CHARS) {
        throw unauthorized('missing bearer token: the agent sends its projected ServiceAccount token (audience pulltrace)');
      }
      const token = m[1] as string;
      const key = tokenHash(token);
      const cached = cache.get(key, now());
      const identity = cached?.fresh
        ? cached.value
        : cached
          ? await revalidate(token, key, cached.value)
          : await firstReview(token, key, requester);
      switch (identity.kind) {
        case 'unauthenticated':
          throw unauthorized(identity.message);
        case 'forbidden':
          throw forbidden(identity.message);
        case 'node':
          return { mode: 'kubernetes', nodeName: identity.nodeName, serviceAccount: identity.serviceAccount };
        case 'pod': {
          const pod = options.podFacts(identity.namespace, identity.podName);
          const podRef = `${identity.namespace}/${identity.podName}`;
          if (pod && identity.podUid && pod.uid && pod.uid !== identity.podUid) {
            throw unauthorized(`the token was issued for an earlier pod named ${podRef}`);
          }
          if (!pod?.nodeName) {
            throw forbidden(
              `token is bound to pod ${podRef}, which the server does not see on a node (watch its namespace, or use Kubernetes 1.30+ node-bound tokens)`,
            );
          }
          return { mode: 'kubernetes', nodeName: pod.nodeName, serviceAccount: identity.serviceAccount };
        }
      }
    },
  };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

/** true when a listen host is reachable only from this machine */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host);
}
