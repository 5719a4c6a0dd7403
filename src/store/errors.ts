/** A history query the caller got wrong (bad cursor, limit out of range); the HTTP route answers 400. */
export class InvalidHistoryQueryError extends Error {
  override name = 'InvalidHistoryQueryError';
}

/** The `cursor` is not one this store handed out. */
export class InvalidCursorError extends InvalidHistoryQueryError {
  override name = 'InvalidCursorError';
}
