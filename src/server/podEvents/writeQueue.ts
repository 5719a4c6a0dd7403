// Writes waiting for the rate budget, bounded: one entry per Event object (a newer milestone
// replaces one not yet written, which is counted as superseded), and once full a new Event's write
// is dropped (counted) rather than queued without bound.

export type QueueDrop = 'superseded' | 'queue_full';

export class WriteQueue<T> {
  private readonly items = new Map<string, T>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.items.size;
  }

  /** Queues `item` under `key`; returns what was dropped, if anything. */
  put(key: string, item: T): QueueDrop | undefined {
    if (this.items.has(key)) {
      this.items.set(key, item); // keeps its place in line
      return 'superseded';
    }
    if (this.items.size >= this.capacity) return 'queue_full';
    this.items.set(key, item);
    return undefined;
  }

  /** Puts a write that must be retried back at the front, unless a newer one for its key came. */
  putBack(key: string, item: T): boolean {
    if (this.items.has(key)) return false;
    const rest = [...this.items];
    this.items.clear();
    this.items.set(key, item);
    for (const [k, v] of rest) this.items.set(k, v);
    return true;
  }

  /** The oldest waiting write, removed. */
  take(): [string, T] | undefined {
    const first = this.items.entries().next();
    if (first.done) return undefined;
    this.items.delete(first.value[0]);
    return first.value;
  }

  clear(): number {
    const n = this.items.size;
    this.items.clear();
    return n;
  }
}
