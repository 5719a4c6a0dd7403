// TokenReview (authentication.k8s.io/v1) as kube-apiserver answers it, for the ServiceAccount
// tokens the test issues: `201` with the review echoed and `status.authenticated`,
// `status.user.{username,uid,groups,extra}`, `status.audiences` (the intersection of the token's
// and the requested audiences) or `status.error` with the API server's wording. Tokens look like
// the real ones (a JWT whose payload carries `aud`, `exp` and the `kubernetes.io` claims), so the
// server under test can read their expiry; their signature is not a real one.
import { randomUUID } from 'node:crypto';

export interface IssueTokenInput {
  /** namespace:name of the ServiceAccount */
  serviceAccount: string;
  audiences?: string[];
  /** pod-bound token: the pod it was issued for */
  pod?: { name: string; uid?: string };
  /** node name claim (pod-bound tokens from Kubernetes 1.30, ServiceAccountTokenPodNodeInfo) */
  nodeName?: string;
  /** default: one hour from now (the chart's projected token) */
  expiresAt?: Date;
}

interface Issued extends IssueTokenInput {
  uid: string;
  expiresAt: Date;
  audiences: string[];
  revoked?: boolean;
}

const API_SERVER_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';

export class FakeTokenIssuer {
  private readonly tokens = new Map<string, Issued>();
  /** reviews answered (tests assert caching with it) */
  reviews = 0;
  /** every token reviewed, in order */
  readonly reviewed: string[] = [];

  issue(input: IssueTokenInput): string {
    const issued: Issued = {
      ...input,
      uid: randomUUID(),
      audiences: input.audiences ?? ['pulltrace'],
      expiresAt: input.expiresAt ?? new Date(Date.now() + 3600_000),
    };
    const [namespace, name] = input.serviceAccount.split(':');
    const payload = {
      aud: issued.audiences,
      exp: Math.floor(issued.expiresAt.getTime() / 1000),
      iat: Math.floor(Date.now() / 1000),
      iss: API_SERVER_AUDIENCE,
      jti: issued.uid,
      sub: `system:serviceaccount:${namespace}:${name}`,
      'kubernetes.io': {
        namespace,
        serviceaccount: { name, uid: `sa-${name}` },
        ...(input.pod ? { pod: { name: input.pod.name, uid: input.pod.uid ?? `uid-${input.pod.name}` } } : {}),
        ...(input.nodeName ? { node: { name: input.nodeName, uid: `uid-${input.nodeName}` } } : {}),
      },
    };
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const token = `${b64({ alg: 'RS256', kid: 'fake' })}.${b64(payload)}.${Buffer.from(randomUUID()).toString('base64url')}`;
    this.tokens.set(token, issued);
    return token;
  }

  /** The bound pod was deleted, or the ServiceAccount: the token stops authenticating. */
  revoke(token: string): void {
    const t = this.tokens.get(token);
    if (t) t.revoked = true;
  }

  /** The body of a POST /apis/authentication.k8s.io/v1/tokenreviews; returns [code, answer]. */
  review(body: unknown): [number, Record<string, unknown>] {
    const review = (body ?? {}) as { apiVersion?: string; kind?: string; spec?: { token?: unknown; audiences?: unknown } };
    if (review.kind !== 'TokenReview' || typeof review.spec?.token !== 'string' || review.spec.token === '') {
      return [400, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'BadRequest', code: 400, message: 'token must be set' }];
    }
    this.reviews += 1;
    const token = review.spec.token;
    this.reviewed.push(token);
    const requested =
      Array.isArray(review.spec.audiences) && review.spec.audiences.length > 0 ? review.spec.audiences : [API_SERVER_AUDIENCE];
    const answer = (status: Record<string, unknown>): [number, Record<string, unknown>] => [
      201,
      { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, spec: review.spec, status },
    ];
    const t = this.tokens.get(token);
    if (!t) return answer({ user: {}, error: '[invalid bearer token, square/go-jose: error in cryptographic primitive]' });
    if (t.revoked) return answer({ user: {}, error: '[invalid bearer token, service account token has been invalidated]' });
    if (t.expiresAt.getTime() <= Date.now())
      return answer({ user: {}, error: '[invalid bearer token, service account token has expired]' });
    const audiences = t.audiences.filter((a) => requested.includes(a));
    if (audiences.length === 0) {
      return answer({
        user: {},
        error: `[invalid bearer token, token audiences ${JSON.stringify(t.audiences)} is invalid for the target audiences ${JSON.stringify(requested)}]`,
      });
    }
    const [namespace, name] = t.serviceAccount.split(':');
    const extra: Record<string, string[]> = { 'authentication.kubernetes.io/credential-id': [`JTI=${t.uid}`] };
    if (t.pod) {
      extra['authentication.kubernetes.io/pod-name'] = [t.pod.name];
      extra['authentication.kubernetes.io/pod-uid'] = [t.pod.uid ?? `uid-${t.pod.name}`];
    }
    if (t.nodeName) {
      extra['authentication.kubernetes.io/node-name'] = [t.nodeName];
      extra['authentication.kubernetes.io/node-uid'] = [`uid-${t.nodeName}`];
    }
    return answer({
      authenticated: true,
      user: {
        username: `system:serviceaccount:${namespace}:${name}`,
        uid: `sa-${name}`,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
        extra,
      },
      audiences,
    });
  }
}
