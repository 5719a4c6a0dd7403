/** A history query the caller got wrong (bad cursor, limit out of range); the HTTP route answers 400. */
export class InvalidHistoryQueryError extends Error {
  override name = 'InvalidHistoryQueryError';
}

/** The history database could not be opened; the message names the path (or URL) and what to do. */
export class HistoryDatabaseError extends Error {
  override name = 'HistoryDatabaseError';
}

/** The `cursor` is not one this store handed out. */
export class InvalidCursorError extends InvalidHistoryQueryError {
  override name = 'InvalidCursorError';
}
