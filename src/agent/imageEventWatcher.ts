// Follows containerd's image events (/images/create, /images/update) so that a pull too short to
// be seen between two polls is still reported, once, as completed. The subscription is live only:
// it is renewed with backoff whenever it ends (containerd restart), and a gap loses nothing else.
import type { Logger } from '../log/index.js';

export interface ImageEventSource {
  subscribeImageEvents(onName: (name: string) => void, onEnd: (err?: Error) => void): () => void;
}

const MAX_PENDING = 1_000;
const MAX_RETRY_MS = 5_000;

export class ImageEventWatcher {
  private readonly pending = new Set<string>();
  private cancel: (() => void) | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = 500;
  private stopped = false;

  constructor(
    private readonly source: ImageEventSource,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.subscribe();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.cancel?.();
  }

  /** Image names created or updated since the last call. */
  drain(): string[] {
    const out = [...this.pending];
    this.pending.clear();
    return out;
  }

  private subscribe(): void {
    if (this.stopped) return;
    this.cancel = this.source.subscribeImageEvents(
      (name) => {
        this.retryMs = 500;
        if (this.pending.size < MAX_PENDING) this.pending.add(name);
      },
      (err) => {
        this.cancel = undefined;
        if (this.stopped) return;
        this.logger.debug({ reason: err?.message ?? 'stream ended', retryInMs: this.retryMs }, 'image event subscription ended; renewing');
        this.retryTimer = setTimeout(() => this.subscribe(), this.retryMs);
        this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
      },
    );
  }
}
