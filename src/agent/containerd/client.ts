// A small read-only containerd client over its gRPC unix socket: Version, content store
// (ingests, blob infos, blob reads) and image records, every call in one namespace.
import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { IMAGE_EVENT_TYPES, imageNameFromEvent } from './imageEvent.js';
import { containerdServices } from './protos.js';
import type { BlobInfo, ImageRecord, IngestStatus, RuntimeVersion } from './types.js';

/** containerd reads the namespace of every namespaced call from this metadata key. */
export const NAMESPACE_HEADER = 'containerd-namespace';

const CALL_TIMEOUT_MS = 10_000;
// containerd's own default limit; a manifest is far below it.
const MAX_MESSAGE_BYTES = 16 << 20;

interface Timestamp {
  seconds: number;
  nanos: number;
}

interface RawInfo {
  digest: string;
  size: number;
  createdAt: Timestamp | null;
  labels: Record<string, string>;
}

interface RawStatus {
  ref: string;
  offset: number;
  total: number;
  startedAt: Timestamp | null;
  updatedAt: Timestamp | null;
}

interface RawEnvelope {
  namespace: string;
  topic: string;
  // proto-loader keeps google.protobuf.Any's own field names
  event: { type_url?: string; typeUrl?: string; value: Buffer } | null;
}

/** A blob larger than its reader accepts (checked with Info before any byte is read). */
export class BlobTooLargeError extends Error {
  override name = 'BlobTooLargeError';
}

/** grpc-js status for "not found". */
const GRPC_NOT_FOUND = 5;

interface RawImage {
  name: string;
  target: { mediaType: string; digest: string } | null;
}

type Callback<T> = (err: grpc.ServiceError | null, value?: T) => void;
type Unary = (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: Callback<unknown>) => void;
type ServerStream = (req: object, md: grpc.Metadata, opts: grpc.CallOptions) => grpc.ClientReadableStream<unknown>;

export function toMs(t: Timestamp | null | undefined): number {
  if (!t) return 0;
  return t.seconds * 1000 + Math.floor(t.nanos / 1e6);
}

/** grpc-js target for a unix socket path (relative paths resolved against the working directory). */
export function unixTarget(socketPath: string): string {
  return `unix://${resolve(socketPath)}`;
}

export class ContainerdClient {
  readonly socketPath: string;
  readonly namespace: string;
  private readonly version: grpc.Client;
  private readonly content: grpc.Client;
  private readonly images: grpc.Client;
  private readonly events: grpc.Client;
  private readonly namespaces: grpc.Client;
  private readonly metadata: grpc.Metadata;

  constructor(socketPath: string, namespace: string) {
    this.socketPath = socketPath;
    this.namespace = namespace;
    const services = containerdServices();
    const target = unixTarget(socketPath);
    const options: grpc.ChannelOptions = {
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      // containerd restarts are usually quick: retry the socket soon, but never hammer it.
      'grpc.initial_reconnect_backoff_ms': 250,
      'grpc.max_reconnect_backoff_ms': 5_000,
    };
    const credentials = grpc.credentials.createInsecure();
    this.version = new services.Version(target, credentials, options);
    // One channel for all services: pass the first client's channel to the others.
    const channelOverride = this.version.getChannel();
    this.content = new services.Content(target, credentials, { ...options, channelOverride });
    this.images = new services.Images(target, credentials, { ...options, channelOverride });
    this.events = new services.Events(target, credentials, { ...options, channelOverride });
    this.namespaces = new services.Namespaces(target, credentials, { ...options, channelOverride });
    this.metadata = new grpc.Metadata();
    this.metadata.set(NAMESPACE_HEADER, namespace);
  }

  async getVersion(timeoutMs = CALL_TIMEOUT_MS): Promise<RuntimeVersion> {
    const res = (await this.unary(this.version, 'version', {}, timeoutMs)) as RuntimeVersion;
    return { version: res.version, revision: res.revision };
  }

  /** Names of every namespace of this containerd (namespaces are not namespaced: any client may ask). */
  async listNamespaces(): Promise<string[]> {
    const res = (await this.unary(this.namespaces, 'list', { filter: '' })) as { namespaces: Array<{ name: string }> };
    return res.namespaces.map((n) => n.name);
  }

  /** Every active ingest of the namespace (downloads in progress). */
  async listIngests(): Promise<IngestStatus[]> {
    const res = (await this.unary(this.content, 'listStatuses', { filters: [] })) as { statuses: RawStatus[] };
    return res.statuses.map((s) => ({
      ref: s.ref,
      offset: s.offset,
      total: s.total,
      startedAtMs: toMs(s.startedAt),
      updatedAtMs: toMs(s.updatedAt),
    }));
  }

  /** Committed blobs matching any of the filters (containerd filter syntax; several = OR). */
  async listContent(filters: string[]): Promise<BlobInfo[]> {
    const batches = (await this.stream(this.content, 'list', { filters })) as Array<{ info: RawInfo[] }>;
    return batches.flatMap((b) =>
      b.info.map((i) => ({ digest: i.digest, size: i.size, createdAtMs: toMs(i.createdAt), labels: { ...i.labels } })),
    );
  }

  /**
   * Reads a whole blob; refuses blobs over maxBytes (a manifest is small, a layer is not). The size
   * is asked first (Info), so an oversized blob is never transferred, and the read asks for exactly
   * that many bytes.
   */
  async readBlob(digest: string, maxBytes: number): Promise<Buffer> {
    const { info } = (await this.unary(this.content, 'info', { digest })) as { info: RawInfo | null };
    const size = Number(info?.size ?? 0);
    if (size > maxBytes) throw new BlobTooLargeError(`blob ${digest} is ${size} bytes, more than the ${maxBytes} expected`);
    if (size === 0) return Buffer.alloc(0);
    const parts = (await this.stream(this.content, 'read', { digest, offset: 0, size })) as Array<{ data: Buffer }>;
    const data = Buffer.concat(parts.map((p) => p.data));
    // The blob cannot change (content-addressed), but a read past the limit is refused all the same.
    if (data.length > maxBytes) throw new BlobTooLargeError(`blob ${digest} is ${data.length} bytes, more than the ${maxBytes} expected`);
    return data;
  }

  /** Image records matching any of the filters. */
  async listImages(filters: string[]): Promise<ImageRecord[]> {
    const res = (await this.unary(this.images, 'list', { filters })) as { images: RawImage[] };
    return res.images.map((i) => ({
      name: i.name,
      targetDigest: i.target?.digest ?? '',
      targetMediaType: i.target?.mediaType ?? '',
    }));
  }

  /** One image record by name; undefined when there is none. */
  async getImage(name: string): Promise<ImageRecord | undefined> {
    try {
      const res = (await this.unary(this.images, 'get', { name })) as { image: RawImage | null };
      if (!res.image) return undefined;
      return { name: res.image.name, targetDigest: res.image.target?.digest ?? '', targetMediaType: res.image.target?.mediaType ?? '' };
    } catch (err) {
      if ((err as grpc.ServiceError).code === GRPC_NOT_FOUND) return undefined;
      throw err;
    }
  }

  /**
   * Live names of images created or updated in this namespace (no replay). `onEnd` is called once
   * when the stream ends or fails; the returned function cancels it.
   */
  subscribeImageEvents(onName: (name: string) => void, onEnd: (err?: Error) => void): () => void {
    const ns = JSON.stringify(this.namespace);
    const filters = [`topic=="/images/create",namespace==${ns}`, `topic=="/images/update",namespace==${ns}`];
    const call = (this.events as unknown as Record<string, ServerStream>).subscribe!.call(this.events, { filters }, this.metadata, {});
    let ended = false;
    const end = (err?: Error) => {
      if (ended) return;
      ended = true;
      onEnd(err);
    };
    call.on('data', (e: RawEnvelope) => {
      const type = (e.event?.type_url ?? e.event?.typeUrl ?? '').replace(/^.*\//, '');
      if (!e.event || !IMAGE_EVENT_TYPES.includes(type)) return;
      const name = imageNameFromEvent(e.event.value);
      try {
        if (name) onName(name);
      } catch (err) {
        end(err as Error);
        call.cancel();
      }
    });
    call.on('error', (err) => end(err));
    call.on('end', () => end());
    return () => {
      ended = true;
      call.cancel();
    };
  }

  close(): void {
    this.namespaces.close();
    this.events.close();
    this.content.close();
    this.images.close();
    this.version.close();
  }

  private unary(client: grpc.Client, method: string, req: object, timeoutMs = CALL_TIMEOUT_MS): Promise<unknown> {
    const call = (client as unknown as Record<string, Unary>)[method]!.bind(client);
    return new Promise((resolvePromise, reject) => {
      call(req, this.metadata, { deadline: Date.now() + timeoutMs }, (err, value) => {
        if (err) reject(err);
        else resolvePromise(value);
      });
    });
  }

  private stream(client: grpc.Client, method: string, req: object): Promise<unknown[]> {
    const call = (client as unknown as Record<string, ServerStream>)[method]!.bind(client);
    return new Promise((resolvePromise, reject) => {
      const out: unknown[] = [];
      const s = call(req, this.metadata, { deadline: Date.now() + CALL_TIMEOUT_MS });
      s.on('data', (d) => out.push(d));
      s.on('error', reject);
      s.on('end', () => resolvePromise(out));
    });
  }
}
