// Asks the API server who a bearer token belongs to (TokenReview, authentication.k8s.io/v1), the
// way Vault and metrics-server check the callers they serve. The server's RBAC needs exactly
// `create` on `tokenreviews`. Answers the review's status; throws TokenReviewUnavailable when the
// API server cannot answer (down, slow, or the permission is missing), which is not the agent's fault.
import { ApiException, AuthenticationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { TokenReviewer } from '../tokenReviewer.js';

export class TokenReviewUnavailable extends Error {}

const REVIEW_TIMEOUT_MS = 5_000;

export function createTokenReviewer(kc: KubeConfig, timeoutMs = REVIEW_TIMEOUT_MS): TokenReviewer {
  const api = kc.makeApiClient(AuthenticationV1Api);
  return async (token, audiences) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TokenReviewUnavailable(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const review = await Promise.race([
        api.createTokenReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, audiences } } }),
        timeout,
      ]);
      return review.status ?? {};
    } catch (err) {
      if (err instanceof TokenReviewUnavailable) throw err;
      if (err instanceof ApiException) {
        const hint = err.code === 403 ? ' (the server needs RBAC: create on tokenreviews.authentication.k8s.io)' : '';
        throw new TokenReviewUnavailable(`the API server answered HTTP ${err.code}${hint}`);
      }
      throw new TokenReviewUnavailable((err as Error).message);
    } finally {
      clearTimeout(timer);
    }
  };
}
