import { createHash, timingSafeEqual } from 'node:crypto';

/** Constant-time check of `Authorization: Bearer <token>` (hashing first hides the length). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer (.+)$/.exec(header ?? '');
  const given = createHash('sha256')
    .update(m?.[1] ?? '')
    .digest();
  const want = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, want) && m !== null;
}
