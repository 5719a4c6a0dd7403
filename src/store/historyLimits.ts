// Bounds on the history's writes, prunes and start-up restore, the same for every dialect.
/** Pending pulls wait at most this long before their batch is written. */
export const FLUSH_DELAY_MS = 250;
/** …or are written on the next turn of the event loop once this many are pending; also the most one timed write takes. */
export const FLUSH_BATCH_SIZE = 200;
/** Rows deleted per transaction when pruning: each batch is short, so ingest never waits long behind it. */
export const PRUNE_BATCH_ROWS = 1_000;
/** Most finished pulls restored into the live view at start-up (the most recent ones). */
export const MAX_RESTORED_PULLS = 5_000;
