// The `cursor` of /api/v1/pulls pages: base64url of a small JSON array, opaque to clients like
// history's cursors, and tagged so one is never taken for the other.
import type { PullOrderKey } from '../tracker/pullOrder.js';

const MAX_CURSOR_LENGTH = 1024;
const TAG = 'pulls';

export function encodePullsCursor(key: PullOrderKey): string {
  return Buffer.from(JSON.stringify([TAG, key.startedAt, key.id]), 'utf8').toString('base64url');
}

/** The position, or undefined for anything this server did not hand out. */
export function decodePullsCursor(text: string): PullOrderKey | undefined {
  if (text.length === 0 || text.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== TAG) return undefined;
  const [, startedAt, id] = parsed;
  if (!Number.isSafeInteger(startedAt) || typeof id !== 'string' || id.length === 0) return undefined;
  return { startedAt, id };
}
