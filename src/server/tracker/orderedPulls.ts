// The live pulls kept in the served order (pullOrder.ts), so a page or the whole list is read off
// in order instead of sorting 50,000 pulls for every request (that sort alone took ~200 ms of the
// event loop). A pull's place never changes (its start and id are fixed).
//
// The array runs oldest first, the served order reversed: a new pull (the newest) is appended, not
// spliced in at the front (50,000 front insertions moved 1.25 billion entries). A removed pull is
// only marked, and the marked ones are swept out together once they are many, so a burst of
// removals (every pull of a TTL expiring at once) costs one pass, not one pass each.
import { comparePullOrder, type PullOrderKey } from './pullOrder.js';

/** Oldest first: negative when `a` started before `b` (ties: lower id first). */
const oldestFirst = (a: PullOrderKey, b: PullOrderKey) => comparePullOrder(b, a);
/** Marked removals that trigger a sweep (also when they are over half the array). */
const SWEEP_AT = 1024;

export class OrderedPulls<T extends PullOrderKey> {
  private items: T[] = [];
  private readonly removed = new Set<T>();

  get size(): number {
    return this.items.length - this.removed.size;
  }

  add(item: T): void {
    const at = this.lowerBound(item);
    if (at === this.items.length) this.items.push(item);
    else this.items.splice(at, 0, item);
  }

  /** Removes this very item (not another with the same start and id); unknown items change nothing. */
  remove(item: T): void {
    if (this.removed.has(item)) return;
    for (let at = this.lowerBound(item); at < this.items.length && oldestFirst(this.items[at] as T, item) === 0; at++) {
      if (this.items[at] !== item) continue;
      this.removed.add(item);
      if (this.removed.size >= SWEEP_AT || this.removed.size * 2 > this.items.length) this.sweep();
      return;
    }
  }

  /** Every item in the served order, starting strictly after `after` (from the first when absent). */
  *after(after?: PullOrderKey): Generator<T> {
    // Items below the position of `after` in the oldest-first array come after it when served.
    for (let at = (after ? this.lowerBound(after) : this.items.length) - 1; at >= 0; at--) {
      const item = this.items[at] as T;
      if (!this.removed.has(item)) yield item;
    }
  }

  /** Index of the first item not older than `key`. */
  private lowerBound(key: PullOrderKey): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (oldestFirst(this.items[mid] as T, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private sweep(): void {
    this.items = this.items.filter((item) => !this.removed.has(item));
    this.removed.clear();
  }
}
