// The report route's hooks around agent authentication (src/server/auth): who sends, before the
// body is read, and for which node, once it is validated. The authenticated node is left on the
// request (`req.agent`) for limits keyed on it. A refusal's reason is logged here; the caller gets
// its code's fixed sentence (errorCatalogue.ts).
import type { FastifyRequest } from 'fastify';
import type { Logger } from '../../log/index.js';
import type { AgentAuthenticator, AgentPrincipal } from '../auth/agentAuth.js';
import { nodeMismatchMessage } from '../auth/agentIdentity.js';
import { AuthRefusal } from '../auth/authRefusal.js';
import { authRefusalError } from './refusals.js';
import { byRemoteAddress } from './requester.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** set by the report route's authentication hook */
    agent?: AgentPrincipal;
  }
}

const REFUSAL_WARN_EVERY_MS = 60_000;

export function agentAuthHooks(auth: AgentAuthenticator, logger?: Logger, now: () => number = Date.now) {
  // One refusal of each status a minute at warn, so the reason is seen at the default level; the
  // rest at debug: a misconfigured agent repeats every second, a forging one at will.
  const lastWarned = new Map<number, number>();
  const refused = (req: FastifyRequest, err: unknown, nodeName?: string): unknown => {
    if (!(err instanceof AuthRefusal)) return err;
    const answer = authRefusalError(err);
    const at = now();
    const warn = at - (lastWarned.get(answer.statusCode) ?? Number.NEGATIVE_INFINITY) >= REFUSAL_WARN_EVERY_MS;
    if (warn) lastWarned.set(answer.statusCode, at);
    logger?.[warn ? 'warn' : 'debug'](
      { status: answer.statusCode, reason: err.message, remoteAddress: req.ip, nodeName },
      'agent report refused; nothing changed',
    );
    return answer;
  };
  return {
    async authenticate(req: FastifyRequest): Promise<void> {
      try {
        req.agent = await auth.authenticate(req.headers.authorization, byRemoteAddress(req));
      } catch (err) {
        throw refused(req, err);
      }
    },
    async checkNode(req: FastifyRequest<{ Body: { nodeName: string } }>): Promise<void> {
      const bound = req.agent?.nodeName;
      if (bound !== undefined && bound !== req.body.nodeName) {
        throw refused(req, new AuthRefusal('forbidden', nodeMismatchMessage(bound, req.body.nodeName)), req.body.nodeName);
      }
    },
  };
}
