// Who a bearer token belongs to, as the API server's TokenReview answers (client/tokenReview.ts
// asks it). A type only: the server's agent authentication takes any function of this shape.
import type { V1TokenReviewStatus } from '@kubernetes/client-node';

export type TokenReviewer = (token: string, audiences: string[]) => Promise<V1TokenReviewStatus>;
