// The live pulls kept in the served order (pullOrder.ts), so a page or the whole list is read off
// in order instead of sorting 50,000 pulls for every request (that sort alone took ~200 ms of the
// event loop). A pull's place never changes (its start and id are fixed): adding and removing are a
// binary search and one splice.
import { comparePullOrder, type PullOrderKey } from './pullOrder.js';

export class OrderedPulls<T extends PullOrderKey> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  add(item: T): void {
    this.items.splice(this.firstAtOrAfter(item), 0, item);
  }

  remove(item: PullOrderKey): void {
    const at = this.firstAtOrAfter(item);
    if (at < this.items.length && comparePullOrder(this.items[at] as T, item) === 0) this.items.splice(at, 1);
  }

  /** Every item in order, starting strictly after `after` (from the first when absent). */
  *after(after?: PullOrderKey): Generator<T> {
    let at = 0;
    if (after) {
      at = this.firstAtOrAfter(after);
      if (at < this.items.length && comparePullOrder(this.items[at] as T, after) === 0) at++;
    }
    for (; at < this.items.length; at++) yield this.items[at] as T;
  }

  /** Index of the first item not before `key`. */
  private firstAtOrAfter(key: PullOrderKey): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (comparePullOrder(this.items[mid] as T, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
