/** Collects values and lets a test await a condition on them with a bounded wait. */
export function collector<T>() {
  const items: T[] = [];
  const waiters = new Set<() => void>();
  return {
    items,
    push(v: T) {
      items.push(v);
      for (const w of [...waiters]) w();
    },
    /** resolves once `items.length >= n` */
    waitFor(n: number, what: string, timeoutMs = 10_000) {
      return this.until(() => items.length >= n, `${n} ${what} (have ${items.length})`, timeoutMs);
    },
    /** resolves once `ok()` holds, checked after every push */
    async until(ok: () => boolean, what: string, timeoutMs = 10_000) {
      if (ok()) return;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
        function check() {
          if (!ok()) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        }
        waiters.add(check);
      });
    },
  };
}
