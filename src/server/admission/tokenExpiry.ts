// When a JWT says it expires (`exp`, seconds since the epoch), read without checking its signature:
// only used to keep a TokenReview answer no longer than the token lives. The API server has
// already proven the token; a forged `exp` can only shorten our cache.
export function tokenExpiryMs(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload || payload.length > 8192) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
