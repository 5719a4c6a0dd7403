// What the agent follows in one containerd namespace: its pulls, the poller that advances them and
// the image events that catch short pulls. Ingests, blobs' labels and image records are all per
// namespace in containerd, so each namespace needs its own client (header) and its own memory.
import type { Logger } from '../log/index.js';
import type { ContainerdClient } from './containerd/client.js';
import { ImageEventWatcher } from './imageEventWatcher.js';
import { Poller } from './poller.js';
import { NodePulls } from './resolver/nodePulls.js';

/** A new namespace's image records looked at once: no more than an event burst would bring. */
const MAX_CATCH_UP_IMAGES = 1_000;

export class NamespaceWatch {
  readonly pulls: NodePulls;
  private caughtUp: string[] = [];
  private readonly poller: Poller;
  private readonly imageEvents: ImageEventWatcher;

  constructor(
    readonly client: ContainerdClient,
    logger: Logger,
    unpackTimeoutMs: number,
  ) {
    this.pulls = new NodePulls({ unpackTimeoutMs });
    this.poller = new Poller(client, this.pulls, logger);
    this.imageEvents = new ImageEventWatcher(client, logger);
  }

  get namespace(): string {
    return this.client.namespace;
  }

  start(): void {
    this.imageEvents.start();
  }

  /**
   * For a namespace created since the last poll: the pull that created it may have ended before its
   * image events were followed, so its image records are looked at once in the next poll (only one
   * whose manifest was fetched within the last minute counts as a pull).
   */
  async catchUp(): Promise<void> {
    this.caughtUp = (await this.client.listImages([])).slice(0, MAX_CATCH_UP_IMAGES).map((i) => i.name);
  }

  poll(nowMs: number): Promise<void> {
    const names = [...new Set([...this.caughtUp, ...this.imageEvents.drain()])];
    this.caughtUp = [];
    return this.poller.pollOnce(nowMs, names);
  }

  /** Stops following; the client is closed by whoever opened it. */
  stop(): void {
    this.imageEvents.stop();
  }
}
