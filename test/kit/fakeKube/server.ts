// A small Kubernetes API server for tests: pods and events over real HTTP, speaking the list/watch
// protocol the official client uses (list with metadata.resourceVersion, `?watch=true` chunked
// JSON lines from a resourceVersion, 410 Expired for compacted versions), with controls to
// change objects, cut watch connections and expire resource versions.
// Lists are paged with `limit`/`continue` as kube-apiserver does (every page carries the first
// page's resourceVersion). Simplifications: later pages show the current state, not a snapshot
// (a watch from that resourceVersion replays what changed meanwhile); an object modified out of a
// watch's selector is not sent as DELETED; no bookmarks.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type KubeObject, kubeTime, toEventsV1 } from './objects.js';
import { FakeServices } from './services.js';
import { FakeTokenIssuer } from './tokenReview.js';

export type Resource = 'pods' | 'events';
type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED';
/** core/v1 for pods and events; events.k8s.io/v1 is a second view of the same events */
type ApiView = 'core' | 'eventsV1';

interface Change {
  rv: number;
  resource: Resource;
  type: WatchType;
  object: KubeObject;
}

interface Query {
  resource: Resource;
  view: ApiView;
  namespace?: string;
  fieldSelector: Requirement[];
  labelSelector: Requirement[];
}

interface Requirement {
  key: string;
  op: '=' | '!=' | 'exists' | '!exists';
  value: string;
}

interface Watcher {
  query: Query;
  res: ServerResponse;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  watch: boolean;
  status?: number;
}

export interface FakeKubeOptions {
  /** when set, requests must send `Authorization: Bearer <token>` */
  token?: string;
}

class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const FIELD_LABELS: Record<Resource | 'eventsV1', Record<string, (o: KubeObject) => unknown>> = {
  pods: {
    'metadata.name': (o) => o.metadata.name,
    'metadata.namespace': (o) => o.metadata.namespace,
    'spec.nodeName': (o) => (o.spec as Record<string, unknown> | undefined)?.nodeName,
    'spec.restartPolicy': (o) => (o.spec as Record<string, unknown> | undefined)?.restartPolicy,
    'spec.schedulerName': (o) => (o.spec as Record<string, unknown> | undefined)?.schedulerName,
    'spec.serviceAccountName': (o) => (o.spec as Record<string, unknown> | undefined)?.serviceAccountName,
    'status.phase': (o) => (o.status as Record<string, unknown> | undefined)?.phase,
  },
  // K-EVSTR: the field labels the API server accepts for core/v1 events
  events: {
    'metadata.name': (o) => o.metadata.name,
    'metadata.namespace': (o) => o.metadata.namespace,
    'involvedObject.kind': (o) => involved(o).kind,
    'involvedObject.namespace': (o) => involved(o).namespace,
    'involvedObject.name': (o) => involved(o).name,
    'involvedObject.uid': (o) => involved(o).uid,
    'involvedObject.apiVersion': (o) => involved(o).apiVersion,
    'involvedObject.resourceVersion': (o) => involved(o).resourceVersion,
    'involvedObject.fieldPath': (o) => involved(o).fieldPath,
    reason: (o) => o.reason,
    reportingComponent: (o) => o.reportingComponent,
    // kube-apiserver: source.component, else reportingComponent (ToSelectableFields)
    source: (o) => (o.source as Record<string, unknown> | undefined)?.component || o.reportingComponent,
    type: (o) => o.type,
  },
  eventsV1: {
    'metadata.name': (o) => o.metadata.name,
    'metadata.namespace': (o) => o.metadata.namespace,
    'regarding.kind': (o) => involved(o).kind,
    'regarding.namespace': (o) => involved(o).namespace,
    'regarding.name': (o) => involved(o).name,
    'regarding.uid': (o) => involved(o).uid,
    'regarding.fieldPath': (o) => involved(o).fieldPath,
    reason: (o) => o.reason,
    reportingController: (o) => o.reportingComponent,
    type: (o) => o.type,
  },
};

function involved(o: KubeObject): Record<string, unknown> {
  return (o.involvedObject as Record<string, unknown> | undefined) ?? {};
}

const KIND_TO_RESOURCE: Record<string, Resource> = { Pod: 'pods', Event: 'events' };

export class FakeKubeApi {
  readonly url: string;
  /** every request, in order (tests assert relists and selectors with it) */
  readonly requests: RecordedRequest[] = [];
  /** issues ServiceAccount tokens and answers TokenReviews about them */
  readonly tokens = new FakeTokenIssuer();
  /**
   * while set, TokenReviews answer this status (an API server outage, or RBAC missing), or with
   * 'close' their connection is closed unanswered (an API server going away)
   */
  tokenReviewFailure: number | 'close' | undefined;
  /** Services and the service proxy */
  readonly services = new FakeServices();

  private rv = 1;
  // watches from a resourceVersion below this get 410 Expired (etcd compaction)
  private compactedBelow = 0;
  private readonly objects: Record<Resource, Map<string, KubeObject>> = { pods: new Map(), events: new Map() };
  private changes: Change[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly sockets = new Set<Socket>();
  private readonly emitter = new EventEmitter();
  private failures: { code: number; remaining: number } | undefined;
  private stalling = false;

  private constructor(
    private readonly server: Server,
    private readonly options: FakeKubeOptions,
  ) {
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  static async start(options: FakeKubeOptions = {}): Promise<FakeKubeApi> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const api = new FakeKubeApi(server, options);
    server.on('connection', (socket) => {
      api.sockets.add(socket);
      socket.on('close', () => api.sockets.delete(socket));
    });
    server.on('request', (req, res) => api.handle(req, res));
    return api;
  }

  /** the current resourceVersion (of the last change) */
  get resourceVersion(): number {
    return this.rv;
  }

  // ---- test controls ------------------------------------------------------------------------

  /** Creates or replaces an object (Pod or Event, by `kind`); returns the stored copy. */
  apply(input: KubeObject): KubeObject {
    const resource = KIND_TO_RESOURCE[input.kind];
    if (!resource || input.apiVersion !== 'v1') throw new Error(`fake-kube: cannot store ${input.apiVersion}/${input.kind}`);
    if (!input.metadata?.name) throw new Error('fake-kube: object without metadata.name');
    const object = structuredClone(input);
    object.metadata.namespace ??= 'default';
    const key = `${object.metadata.namespace}/${object.metadata.name}`;
    const existing = this.objects[resource].get(key);
    object.metadata.uid = existing?.metadata.uid ?? object.metadata.uid ?? randomUUID();
    object.metadata.creationTimestamp = existing?.metadata.creationTimestamp ?? object.metadata.creationTimestamp ?? kubeTime();
    this.rv += 1;
    object.metadata.resourceVersion = String(this.rv);
    this.objects[resource].set(key, object);
    this.publish({ rv: this.rv, resource, type: existing ? 'MODIFIED' : 'ADDED', object });
    return structuredClone(object);
  }

  /** Deletes an object; returns false when there was none. */
  delete(resource: Resource, namespace: string, name: string): boolean {
    const key = `${namespace}/${name}`;
    const existing = this.objects[resource].get(key);
    if (!existing) return false;
    this.objects[resource].delete(key);
    this.rv += 1;
    const object = structuredClone(existing);
    object.metadata.resourceVersion = String(this.rv);
    this.publish({ rv: this.rv, resource, type: 'DELETED', object });
    return true;
  }

  get(resource: Resource, namespace: string, name: string): KubeObject | undefined {
    const o = this.objects[resource].get(`${namespace}/${name}`);
    return o ? structuredClone(o) : undefined;
  }

  /** What the kubelet's recorder does for an identical event: PATCH count+1 and lastTimestamp. */
  repeatEvent(namespace: string, name: string, at: Date = new Date()): KubeObject {
    const ev = this.objects.events.get(`${namespace}/${name}`);
    if (!ev) throw new Error(`fake-kube: no event ${namespace}/${name}`);
    return this.apply({ ...ev, count: Number(ev.count ?? 1) + 1, lastTimestamp: kubeTime(at) });
  }

  /** Cuts every open watch: `graceful` ends the response, otherwise the TCP connection is destroyed. */
  dropWatches(options: { graceful?: boolean } = {}): number {
    const n = this.watchers.size;
    for (const w of [...this.watchers]) {
      this.watchers.delete(w);
      if (options.graceful) w.res.end();
      else w.res.socket?.destroy();
    }
    return n;
  }

  /** Compacts history: the next watch from any earlier resourceVersion gets 410 Expired. */
  expireResourceVersions(): void {
    this.rv += 1;
    this.compactedBelow = this.rv;
    this.changes = [];
  }

  /**
   * The next `count` resource requests (lists, watches, gets) answer `code` with a Status body,
   * e.g. 403 for missing RBAC or 503 for an API server restarting; Infinity until cleared.
   */
  failRequests(code: number, count = Number.POSITIVE_INFINITY): void {
    this.failures = { code, remaining: count };
  }

  clearFailures(): void {
    this.failures = undefined;
  }

  /** While on, resource requests are accepted but never answered (a hung API server). */
  stallRequests(on: boolean): void {
    this.stalling = on;
  }

  /** open watch connections, optionally for one resource */
  watchCount(resource?: Resource): number {
    let n = 0;
    for (const w of this.watchers) if (!resource || w.query.resource === resource) n += 1;
    return n;
  }

  /** Resolves once at least `count` watches (of `resource`) are open. */
  async waitForWatches(count: number, resource?: Resource, timeoutMs = 10_000): Promise<void> {
    if (this.watchCount(resource) >= count) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.emitter.off('watch', check);
        reject(
          new Error(`fake-kube: ${count} ${resource ?? ''} watch(es) not open within ${timeoutMs} ms (open: ${this.watchCount(resource)})`),
        );
      }, timeoutMs);
      const check = () => {
        if (this.watchCount(resource) < count) return;
        clearTimeout(timer);
        this.emitter.off('watch', check);
        resolve();
      };
      this.emitter.on('watch', check);
    });
  }

  /** Resolves once `count` more requests matching `predicate` arrived after this call. */
  async waitForRequests(predicate: (r: RecordedRequest) => boolean, count = 1, timeoutMs = 10_000): Promise<void> {
    let seen = 0;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.emitter.off('request', onRequest);
        reject(new Error(`fake-kube: expected ${count} matching request(s) within ${timeoutMs} ms, saw ${seen}`));
      }, timeoutMs);
      const onRequest = (r: RecordedRequest) => {
        if (!predicate(r)) return;
        seen += 1;
        if (seen < count) return;
        clearTimeout(timer);
        this.emitter.off('request', onRequest);
        resolve();
      };
      this.emitter.on('request', onRequest);
    });
  }

  async close(): Promise<void> {
    for (const w of this.watchers) w.res.socket?.destroy();
    this.watchers.clear();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- protocol -------------------------------------------------------------------------------

  private publish(change: Change): void {
    this.changes.push(change);
    for (const w of this.watchers) {
      if (w.query.resource === change.resource && this.matches(w.query, change.object)) this.send(w, change.type, change.object);
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const watch = query.watch === 'true' || query.watch === '1';
    const record: RecordedRequest = { method: req.method ?? '', path: url.pathname, query, watch };
    this.requests.push(record);
    if (this.stalling && url.pathname !== '/version') {
      this.emitter.emit('request', record);
      return; // held open until the client gives up or close() destroys the socket
    }
    try {
      if (this.options.token !== undefined && req.headers.authorization !== `Bearer ${this.options.token}`) {
        throw new HttpError(401, 'Unauthorized', 'Unauthorized');
      }
      if (this.failures && this.failures.remaining > 0 && url.pathname !== '/version') {
        this.failures.remaining -= 1;
        const code = this.failures.code;
        const reason = code === 403 ? 'Forbidden' : code === 401 ? 'Unauthorized' : 'ServiceUnavailable';
        throw new HttpError(code, reason, `${reason.toLowerCase()}: injected by the test`);
      }
      if (url.pathname === '/apis/authentication.k8s.io/v1/tokenreviews') {
        this.handleTokenReview(req, res, record);
        return;
      }
      if (url.pathname === '/version') {
        this.json(res, 200, { major: '1', minor: '31', gitVersion: 'v1.31.0-fake', platform: 'linux/amd64' });
      } else if (this.services.handle(req, res, url)) {
        // services and the service proxy (services.ts)
      } else {
        this.handleResource(req, res, url.pathname, query, watch);
      }
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      this.json(res, err.code, status(err.code, err.reason, err.message));
    }
    record.status = res.statusCode;
    this.emitter.emit('request', record);
  }

  private handleTokenReview(req: IncomingMessage, res: ServerResponse, record: RecordedRequest): void {
    if (req.method !== 'POST') throw new HttpError(405, 'MethodNotAllowed', 'tokenreviews can only be created');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (this.tokenReviewFailure === 'close') {
        record.status = 0;
        this.emitter.emit('request', record);
        req.socket.destroy();
        return;
      }
      if (this.tokenReviewFailure !== undefined) {
        const code = this.tokenReviewFailure;
        const reason = code === 403 ? 'Forbidden' : 'ServiceUnavailable';
        const message =
          code === 403
            ? 'tokenreviews.authentication.k8s.io is forbidden: User "system:serviceaccount:pulltrace:pulltrace-server" cannot create resource "tokenreviews" in API group "authentication.k8s.io" at the cluster scope'
            : 'the server is currently unable to handle the request';
        this.json(res, code, status(code, reason, message));
      } else {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = undefined;
        }
        const [code, answer] = this.tokens.review(body);
        this.json(res, code, answer);
      }
      record.status = res.statusCode;
      this.emitter.emit('request', record);
    });
  }

  private handleResource(req: IncomingMessage, res: ServerResponse, path: string, params: Record<string, string>, watch: boolean): void {
    const m =
      /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?(pods|events)(?:\/([^/]+))?$/.exec(path) ??
      /^\/apis\/events\.k8s\.io\/v1\/(?:namespaces\/([^/]+)\/)?(events)(?:\/([^/]+))?$/.exec(path);
    if (!m) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    if (req.method !== 'GET') throw new HttpError(405, 'MethodNotAllowed', `the fake API server is read-only (${req.method})`);
    const view: ApiView = path.startsWith('/apis/') ? 'eventsV1' : 'core';
    const [, namespace, resource, name] = m as unknown as [string, string | undefined, Resource, string | undefined];
    if (name !== undefined && namespace === undefined)
      throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');

    const query: Query = {
      resource,
      view,
      fieldSelector: parseSelector(params.fieldSelector ?? '', 'field'),
      labelSelector: parseSelector(params.labelSelector ?? '', 'label'),
    };
    if (namespace !== undefined) query.namespace = namespace;
    const labels = FIELD_LABELS[view === 'eventsV1' ? 'eventsV1' : resource];
    for (const r of query.fieldSelector) {
      if (!labels[r.key]) throw new HttpError(400, 'BadRequest', `field label not supported: ${r.key}`);
    }

    if (name !== undefined) {
      const o = this.objects[resource].get(`${namespace}/${name}`);
      if (!o) throw new HttpError(404, 'NotFound', `${resource} "${name}" not found`);
      this.json(res, 200, this.view(query, o));
      return;
    }
    if (watch) {
      this.startWatch(res, query, params.resourceVersion ?? '', Number(params.timeoutSeconds ?? 0));
      return;
    }
    const limit = params.limit === undefined ? 0 : Number(params.limit);
    if (!Number.isInteger(limit) || limit < 0) throw new HttpError(400, 'BadRequest', `invalid limit: ${params.limit}`);
    const page = params.continue === undefined ? { rv: this.rv, offset: 0 } : parseContinue(params.continue);
    const all = this.sortedList(query, `${params.fieldSelector ?? ''}|${params.labelSelector ?? ''}`);
    const end = limit > 0 ? Math.min(all.length, page.offset + limit) : all.length;
    const items = all.slice(page.offset, end).map((o) => {
      // list items carry no kind/apiVersion on a real API server
      const { kind: _k, apiVersion: _a, ...rest } = this.view(query, o);
      return rest;
    });
    const metadata: Record<string, unknown> = { resourceVersion: String(page.rv) };
    if (end < all.length) {
      metadata.continue = Buffer.from(JSON.stringify({ rv: page.rv, offset: end })).toString('base64url');
      metadata.remainingItemCount = all.length - end;
    }
    const kind = resource === 'pods' ? 'PodList' : 'EventList';
    this.json(res, 200, { kind, apiVersion: view === 'eventsV1' ? 'events.k8s.io/v1' : 'v1', metadata, items });
  }

  // A paged list asks for the same sorted list once per page: sorted once per state and query.
  private listCache: { key: string; items: KubeObject[] } | undefined;

  private sortedList(query: Query, selectors: string): KubeObject[] {
    const key = `${this.rv}|${query.resource}|${query.view}|${query.namespace ?? ''}|${selectors}`;
    if (this.listCache?.key === key) return this.listCache.items;
    const keyOf = (o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`;
    const items = [...this.objects[query.resource].values()]
      .filter((o) => this.matches(query, o))
      .sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
    this.listCache = { key, items };
    return items;
  }

  private startWatch(res: ServerResponse, query: Query, fromText: string, timeoutSeconds: number): void {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    const watcher: Watcher = { query, res };
    const from = fromText === '' || fromText === '0' ? undefined : Number(fromText);
    if (from !== undefined && (!Number.isInteger(from) || from < this.compactedBelow)) {
      // what kube-apiserver sends when the watch cache no longer has that version
      res.end(
        `${JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${fromText} (${this.compactedBelow})`) })}\n`,
      );
      return;
    }
    if (from === undefined) {
      // no version: the current state as synthetic ADDED events, then changes
      for (const o of this.objects[query.resource].values()) if (this.matches(query, o)) this.send(watcher, 'ADDED', o);
    } else {
      for (const c of this.changes) {
        if (c.rv > from && c.resource === query.resource && this.matches(query, c.object)) this.send(watcher, c.type, c.object);
      }
    }
    this.watchers.add(watcher);
    res.on('close', () => this.watchers.delete(watcher));
    if (timeoutSeconds > 0) {
      const timer = setTimeout(() => {
        this.watchers.delete(watcher);
        res.end();
      }, timeoutSeconds * 1000);
      res.on('close', () => clearTimeout(timer));
    }
    this.emitter.emit('watch');
  }

  private send(w: Watcher, type: WatchType, object: KubeObject): void {
    w.res.write(`${JSON.stringify({ type, object: this.view(w.query, object) })}\n`);
  }

  private view(query: Query, o: KubeObject): KubeObject {
    return query.view === 'eventsV1' ? toEventsV1(o) : o;
  }

  private matches(query: Query, o: KubeObject): boolean {
    if (query.namespace !== undefined && o.metadata.namespace !== query.namespace) return false;
    const fields = FIELD_LABELS[query.view === 'eventsV1' ? 'eventsV1' : query.resource];
    for (const r of query.fieldSelector) {
      const get = fields[r.key];
      if (!get || !holds(r, String(get(o) ?? ''))) return false;
    }
    for (const r of query.labelSelector) {
      const labels = o.metadata.labels ?? {};
      if (!holds(r, labels[r.key])) return false;
    }
    return true;
  }

  private json(res: ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}

function holds(r: Requirement, value: string | undefined): boolean {
  switch (r.op) {
    case '=':
      return value === r.value;
    case '!=':
      return value !== r.value;
    case 'exists':
      return value !== undefined;
    case '!exists':
      return value === undefined;
  }
}

/** `a=b,c!=d,e==f` (fields) and also `k` / `!k` (labels); set-based label syntax is refused. */
function parseSelector(text: string, what: 'field' | 'label'): Requirement[] {
  if (text.trim() === '') return [];
  return text.split(',').map((part) => {
    const m = /^\s*([A-Za-z0-9_./-]+)\s*(==|=|!=)\s*([A-Za-z0-9_.\-:]*)\s*$/.exec(part);
    if (m) return { key: m[1] as string, op: m[2] === '!=' ? '!=' : '=', value: m[3] as string };
    const e = what === 'label' ? /^\s*(!?)([A-Za-z0-9_./-]+)\s*$/.exec(part) : null;
    if (e) return { key: e[2] as string, op: e[1] ? '!exists' : 'exists', value: '' };
    throw new HttpError(400, 'BadRequest', `unable to parse requirement: ${what} selector "${text}"`);
  });
}

function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function parseContinue(token: string): { rv: number; offset: number } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { rv?: unknown; offset?: unknown };
    if (Number.isInteger(t.rv) && Number.isInteger(t.offset) && (t.offset as number) >= 0)
      return { rv: t.rv as number, offset: t.offset as number };
  } catch {
    // fall through
  }
  throw new HttpError(400, 'BadRequest', 'invalid continue token');
}
