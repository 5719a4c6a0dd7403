// Bounded polling for a condition, with a message that says what was awaited and what was last seen.

export interface WaitOptions {
  timeoutMs: number;
  /** what is being awaited, for the timeout message: "the manifest to be committed" */
  what: string;
  intervalMs?: number;
}

/** Thrown by a condition function to stop waiting at once (e.g. the awaited process has exited). */
export class StopWaiting extends Error {}

/**
 * Call fn until it returns a truthy value (returned) or timeoutMs passes (throws).
 * An exception from fn counts as "not yet" (the last one is quoted in the timeout error),
 * except StopWaiting, which is rethrown at once.
 */
export async function waitFor<T>(fn: () => T | Promise<T>, opts: WaitOptions): Promise<NonNullable<T>> {
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.intervalMs ?? 50;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as NonNullable<T>;
    } catch (e) {
      if (e instanceof StopWaiting) throw e;
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const detail = lastError ? ` (last error: ${(lastError as Error).message ?? String(lastError)})` : '';
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}${detail}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}
