// Numeric limits shared by the schemas, the server and the agent, so they agree on one value.

/** Largest byte count accepted or served: JSON readers (JavaScript, jq) lose precision beyond it. */
export const MAX_BYTES = Number.MAX_SAFE_INTEGER;

/**
 * Most layers one pull may have after the server merges report entries naming the same image.
 * Real images have tens; a cap keeps a report's cost bounded. More is refused with a 400.
 */
export const MAX_LAYERS_PER_PULL = 1024;

/**
 * Most layers one report may carry across all its pulls, after merging. A report's cost is linear
 * in its layers (each one that moved is an event), so this bounds the worst report: without it a
 * 1 MiB body holds over 11,000 small layers. 2,048 is twenty 100-layer images pulled at once on one
 * node; the agent trims to it (fewer layers per pull, marked `layersOmitted`). More is refused with a 400.
 */
export const MAX_LAYERS_PER_REPORT = 2048;

/** Reported times before this are refused (Go's zero time, "0001-01-01T00:00:00Z", means unknown). */
export const EARLIEST_TIME_MS = Date.UTC(2000, 0, 1);

/** Reported times may be at most this far ahead of the server's clock (clock skew allowance). */
export const MAX_FUTURE_SKEW_MS = 10 * 60_000;
