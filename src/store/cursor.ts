import { InvalidCursorError } from './errors.js';

/** Position after the last row of a page: rows are ordered by (completedAt desc, id desc). */
export interface HistoryCursor {
  completedAt: number;
  id: string;
}

const MAX_CURSOR_LENGTH = 2048;

// base64url of a small JSON array: opaque to clients, trivially stable across releases.
export function encodeCursor(cursor: HistoryCursor): string {
  return Buffer.from(JSON.stringify([cursor.completedAt, cursor.id]), 'utf8').toString('base64url');
}

export function decodeCursor(text: string): HistoryCursor {
  if (text.length === 0 || text.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) {
    throw new InvalidCursorError('cursor is not a value returned in "next" by an earlier history page');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('cursor is not a value returned in "next" by an earlier history page');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    !Number.isSafeInteger(parsed[0]) ||
    typeof parsed[1] !== 'string' ||
    parsed[1].length === 0
  ) {
    throw new InvalidCursorError('cursor is not a value returned in "next" by an earlier history page');
  }
  return { completedAt: parsed[0], id: parsed[1] };
}
