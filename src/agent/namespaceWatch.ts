// What the agent follows in one containerd namespace: its pulls, the poller that advances them and
// the image events that catch short pulls. Ingests, blobs' labels and image records are all per
// namespace in containerd, so each namespace needs its own client (header) and its own memory.
import type { Logger } from '../log/index.js';
import type { ContainerdClient } from './containerd/client.js';
import { ImageEventWatcher } from './imageEventWatcher.js';
import { Poller } from './poller.js';
import { NodePulls } from './resolver/nodePulls.js';

export class NamespaceWatch {
  readonly pulls: NodePulls;
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

  poll(nowMs: number): Promise<void> {
    return this.poller.pollOnce(nowMs, this.imageEvents.drain());
  }

  /** Stops following; the client is closed by whoever opened it. */
  stop(): void {
    this.imageEvents.stop();
  }
}
