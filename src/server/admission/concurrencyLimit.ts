// At most `max` tasks at once, and at most `maxWaiting` waiting for a turn; beyond that a task is
// refused at once (undefined) rather than queued without bound. Used for TokenReviews: however
// many unknown tokens arrive, the API server sees a few reviews at a time.
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly max: number,
    private readonly maxWaiting: number,
  ) {}

  /** Runs `task` now or when a turn comes; undefined when too many already wait. */
  run<T>(task: () => Promise<T>): Promise<T> | undefined {
    if (this.running < this.max) {
      this.running += 1;
      return this.start(task);
    }
    if (this.waiting.length >= this.maxWaiting) return undefined;
    return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => this.start(task));
  }

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  // A finished task hands its turn straight to the next waiting one, so `running` never exceeds `max`.
  private start<T>(task: () => Promise<T>): Promise<T> {
    return Promise.resolve()
      .then(task)
      .finally(() => {
        const next = this.waiting.shift();
        if (next) next();
        else this.running -= 1;
      });
  }
}
