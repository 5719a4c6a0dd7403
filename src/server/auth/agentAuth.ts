// Who is posting a report (PULLTRACE_AGENT_AUTH). `kubernetes`: the agent's projected
// ServiceAccount token, checked by TokenReview and bound to one node, so an agent (or anything
// holding its token) can speak only for its own node. `token`: one shared secret, which proves
// "an agent" but not which node. `none`: anyone who can reach the port. Runs as hooks on the
// report route: the token before the body is read, the node once the body is validated. The
// authenticated node is left on the request (`req.agent`) for limits keyed on it.
import type { FastifyRequest } from 'fastify';
import type { ServiceAccountRef } from '../../cli/settingParsers.js';
import type { AgentAuthMode } from '../../cli/settings.js';
import type { PodFacts, TokenReviewer } from '../../k8s/index.js';
import type { Logger } from '../../log/index.js';
import { ApiError } from '../http/apiError.js';
import { bearerMatches } from '../http/tokenCheck.js';
import { AGENT_AUDIENCE, type AgentIdentity, identityFromReview, nodeMismatchMessage } from './agentIdentity.js';
import { publicAuthError } from './publicAuthError.js';
import { ReviewCache, tokenHash } from './reviewCache.js';
import { tokenExpiryMs } from './tokenExpiry.js';

/** What the server knows about the sender of a report. */
export interface AgentPrincipal {
  mode: AgentAuthMode;
  /** the node the sender may report for (kubernetes mode); undefined = not bound to a node */
  nodeName?: string;
  /** namespace:name (kubernetes mode) */
  serviceAccount?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** set by the report route's authentication hook */
    agent?: AgentPrincipal;
  }
}

export interface AgentAuthenticator {
  readonly mode: AgentAuthMode;
  /** the sender of the request, or an ApiError (401, 403, 503) */
  authenticate(authorization: string | undefined): Promise<AgentPrincipal>;
}

/** Longest bearer token looked at (projected tokens are about 1 KiB). */
const MAX_TOKEN_CHARS = 16_384;
const OUTAGE_RETRY_AFTER_S = 5;
const OUTAGE_LOG_EVERY_MS = 30_000;
const REFUSAL_WARN_EVERY_MS = 60_000;

const unauthorized = (message: string) => new ApiError(401, 'unauthorized', message, { 'www-authenticate': 'Bearer' });
const forbidden = (message: string) => new ApiError(403, 'forbidden', message);

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
}

export function kubernetesAuth(options: KubernetesAuthOptions): AgentAuthenticator {
  const now = options.now ?? Date.now;
  const cache = options.cache ?? new ReviewCache<AgentIdentity>();
  // one TokenReview per token at a time, however many reports wait on it
  const inFlight = new Map<string, Promise<AgentIdentity>>();
  let lastOutageLog = 0;

  const identify = (token: string, key: string): Promise<AgentIdentity> => {
    const running = inFlight.get(key);
    if (running) return running;
    const review = options
      .review(token, [AGENT_AUDIENCE])
      .then((status) => {
        const identity = identityFromReview(status, options.serviceAccounts);
        const positive = identity.kind === 'node' || identity.kind === 'pod';
        cache.set(key, identity, now(), positive, tokenExpiryMs(token));
        return identity;
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, review);
    return review;
  };

  return {
    mode: 'kubernetes',
    async authenticate(authorization) {
      const m = /^Bearer ([^\s]+)$/.exec(authorization ?? '');
      if (!m || (m[1] as string).length > MAX_TOKEN_CHARS) {
        throw unauthorized('missing bearer token: the agent sends its projected ServiceAccount token (audience pulltrace)');
      }
      const token = m[1] as string;
      const key = tokenHash(token);
      let identity = cache.get(key, now());
      if (!identity) {
        try {
          identity = await identify(token, key);
        } catch (err) {
          const reason = (err as Error).message;
          if (now() - lastOutageLog >= OUTAGE_LOG_EVERY_MS) {
            lastOutageLog = now();
            options.logger.warn({ reason }, 'cannot check agent tokens: TokenReview failed; reports are refused with 503 until it answers');
          }
          throw new ApiError(503, 'unavailable', `cannot check the agent's identity right now (TokenReview: ${reason}); retry later`, {
            'retry-after': String(OUTAGE_RETRY_AFTER_S),
          });
        }
      }
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

/**
 * The report route's hooks: who sends (before the body is read), and for which node (after).
 * A refusal's reason is logged here; the caller gets the fixed sentence of publicAuthError.ts.
 */
export function agentAuthHooks(auth: AgentAuthenticator, logger?: Logger, now: () => number = Date.now) {
  // One refusal of each status a minute at warn, so the reason is seen at the default level; the
  // rest at debug: a misconfigured agent repeats every second, a forging one at will.
  const lastWarned = new Map<number, number>();
  const refused = (req: FastifyRequest, err: unknown, nodeName?: string): unknown => {
    if (!(err instanceof ApiError)) return err;
    const at = now();
    const warn = at - (lastWarned.get(err.statusCode) ?? Number.NEGATIVE_INFINITY) >= REFUSAL_WARN_EVERY_MS;
    if (warn) lastWarned.set(err.statusCode, at);
    logger?.[warn ? 'warn' : 'debug'](
      { status: err.statusCode, reason: err.message, remoteAddress: req.ip, nodeName },
      'agent report refused; nothing changed',
    );
    return publicAuthError(err);
  };
  return {
    async authenticate(req: FastifyRequest): Promise<void> {
      try {
        req.agent = await auth.authenticate(req.headers.authorization);
      } catch (err) {
        throw refused(req, err);
      }
    },
    async checkNode(req: FastifyRequest<{ Body: { nodeName: string } }>): Promise<void> {
      const bound = req.agent?.nodeName;
      if (bound !== undefined && bound !== req.body.nodeName) {
        throw refused(req, forbidden(nodeMismatchMessage(bound, req.body.nodeName)), req.body.nodeName);
      }
    },
  };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

/** true when a listen host is reachable only from this machine */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host);
}
