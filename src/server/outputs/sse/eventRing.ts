// A fixed-size ring of the most recent items: O(1) to add (an array shift would move every item
// on each event), oldest-first iteration for Last-Event-ID replay.
export class EventRing<T> {
  private readonly items: Array<T | undefined>;
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.items = new Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    const end = (this.start + this.count) % this.capacity;
    this.items[end] = item;
    if (this.count < this.capacity) this.count++;
    else this.start = (this.start + 1) % this.capacity;
  }

  oldest(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.start];
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.count; i++) yield this.items[(this.start + i) % this.capacity] as T;
  }
}
