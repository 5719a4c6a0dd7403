// Writes the fake API server accepts, as kube-apiserver answers them: Events (core/v1 and
// events.k8s.io/v1: create, merge/strategic patch, update; 409 AlreadyExists, 404, 409 Conflict on a
// stale resourceVersion), Leases (coordination.k8s.io/v1), and GET of Namespaces (their labels).
// Every other write is refused 403 as RBAC would. A test can make Event writes answer 429 with
// Retry-After (API Priority and Fairness) and reads every accepted Event write with its time.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type KubeObject, kubeTime } from './objects.js';

export interface EventWrite {
  method: string;
  /** core or eventsV1 */
  api: 'core' | 'eventsV1';
  namespace: string;
  name: string;
  /** Date.now() when it was answered */
  at: number;
  status: number;
}

/** What the writes need of the server: its event store. */
export interface EventStore {
  get(resource: 'events', namespace: string, name: string): KubeObject | undefined;
  apply(object: KubeObject): KubeObject;
}

export class FakeWrites {
  /** every Event write and its answer, in order */
  readonly eventWrites: EventWrite[] = [];
  /** every Lease write and its answer */
  readonly leaseWrites: Array<{ method: string; name: string; holder: string; status: number }> = [];
  private readonly leases = new Map<string, KubeObject>();
  private readonly namespaces = new Map<string, KubeObject>();
  private leaseRv = 1;
  private throttle: { remaining: number; retryAfter: number } | undefined;
  user = 'system:serviceaccount:pulltrace:pulltrace-server';

  constructor(private readonly store: EventStore) {}

  /** The next `count` Event writes answer 429 with `Retry-After: retryAfterSeconds`. */
  throttleEventWrites(count: number, retryAfterSeconds = 1): void {
    this.throttle = { remaining: count, retryAfter: retryAfterSeconds };
  }

  /** Creates or replaces a Namespace (for its labels). */
  applyNamespace(name: string, labels: Record<string, string> = {}): void {
    this.namespaces.set(name, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels, uid: `ns-${name}`, resourceVersion: '1' },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  }

  lease(namespace: string, name: string): KubeObject | undefined {
    const l = this.leases.get(`${namespace}/${name}`);
    return l ? structuredClone(l) : undefined;
  }

  /** Handles the request if it is a write, a Lease or a Namespace; false if not. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, done: () => void): boolean {
    const method = req.method ?? 'GET';
    const ns = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(url.pathname);
    if (ns && method === 'GET') {
      const found = this.namespaces.get(decodeURIComponent(ns[1] as string));
      if (found) json(res, 200, found);
      else json(res, 404, status(404, 'NotFound', `namespaces "${ns[1]}" not found`));
      done();
      return true;
    }
    const lease = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases(?:\/([^/]+))?$/.exec(url.pathname);
    if (lease) {
      readBody(req, (body) => {
        this.lease_(method, decodeURIComponent(lease[1] as string), lease[2] ? decodeURIComponent(lease[2]) : undefined, body, res);
        done();
      });
      return true;
    }
    if (method === 'GET') return false;
    const ev =
      /^\/api\/v1\/namespaces\/([^/]+)\/events(?:\/([^/]+))?$/.exec(url.pathname) ??
      /^\/apis\/events\.k8s\.io\/v1\/namespaces\/([^/]+)\/events(?:\/([^/]+))?$/.exec(url.pathname);
    if (!ev || !['POST', 'PUT', 'PATCH'].includes(method)) {
      json(
        res,
        403,
        status(
          403,
          'Forbidden',
          `${url.pathname} is forbidden: User "${this.user}" cannot ${method.toLowerCase()} it (the fake API server accepts only Event and Lease writes)`,
        ),
      );
      done();
      return true;
    }
    const api = url.pathname.startsWith('/apis/') ? 'eventsV1' : 'core';
    readBody(req, (body) => {
      const namespace = decodeURIComponent(ev[1] as string);
      const name = ev[2] ? decodeURIComponent(ev[2]) : String((body?.metadata as Record<string, unknown> | undefined)?.name ?? '');
      const code = this.event(method, api, namespace, ev[2] ? name : undefined, body, req.headers['content-type'] ?? '', res);
      this.eventWrites.push({ method, api, namespace, name, at: Date.now(), status: code });
      done();
    });
    return true;
  }

  private event(
    method: string,
    api: 'core' | 'eventsV1',
    namespace: string,
    name: string | undefined,
    body: Record<string, unknown> | undefined,
    contentType: string,
    res: ServerResponse,
  ): number {
    if (this.throttle && this.throttle.remaining > 0) {
      this.throttle.remaining -= 1;
      res.setHeader('Retry-After', String(this.throttle.retryAfter));
      return json(res, 429, status(429, 'TooManyRequests', 'Too many requests, please try again later.'));
    }
    if (!body) return json(res, 400, status(400, 'BadRequest', 'the request body is not JSON'));
    const asCore = api === 'eventsV1' && method !== 'PATCH' ? fromEventsV1(body) : body;
    if (method === 'POST') {
      if (name !== undefined) return json(res, 405, status(405, 'MethodNotAllowed', 'POST to a named Event'));
      const meta = (asCore.metadata ?? {}) as Record<string, unknown>;
      const eventName = String(meta.name ?? '');
      if (!eventName) return json(res, 422, status(422, 'Invalid', 'Event "" is invalid: metadata.name: Required value'));
      if (meta.namespace !== undefined && meta.namespace !== namespace)
        return json(
          res,
          400,
          status(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request'),
        );
      const involved = (asCore.involvedObject ?? {}) as Record<string, unknown>;
      if (involved.namespace !== namespace)
        return json(
          res,
          422,
          status(
            422,
            'Invalid',
            `Event "${eventName}" is invalid: involvedObject.namespace: Invalid value: "${String(involved.namespace)}": does not match event.namespace`,
          ),
        );
      if (this.store.get('events', namespace, eventName))
        return json(res, 409, status(409, 'AlreadyExists', `events "${eventName}" already exists`));
      const stored = this.store.apply({
        ...(asCore as KubeObject),
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { ...(meta as KubeObject['metadata']), name: eventName, namespace },
      });
      return json(res, 201, stored);
    }
    if (name === undefined) return json(res, 405, status(405, 'MethodNotAllowed', `${method} needs a name`));
    const existing = this.store.get('events', namespace, name);
    if (!existing) return json(res, 404, status(404, 'NotFound', `events "${name}" not found`));
    let next: KubeObject;
    if (method === 'PATCH') {
      if (!/merge-patch\+json|strategic-merge-patch\+json/.test(contentType))
        return json(
          res,
          415,
          status(
            415,
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
          ),
        );
      const patch = api === 'eventsV1' ? fromEventsV1(body, true) : body;
      next = mergePatch(existing, patch) as KubeObject;
    } else if (method === 'PUT') {
      const rv = (asCore.metadata as Record<string, unknown> | undefined)?.resourceVersion;
      if (rv !== undefined && rv !== existing.metadata.resourceVersion)
        return json(
          res,
          409,
          status(
            409,
            'Conflict',
            `Operation cannot be fulfilled on events "${name}": the object has been modified; please apply your changes to the latest version and try again`,
          ),
        );
      next = { ...(asCore as KubeObject), metadata: { ...existing.metadata, ...((asCore.metadata as object) ?? {}), name, namespace } };
    } else return json(res, 405, status(405, 'MethodNotAllowed', method));
    next.apiVersion = 'v1';
    next.kind = 'Event';
    return json(res, 200, this.store.apply(next));
  }

  private lease_(
    method: string,
    namespace: string,
    name: string | undefined,
    body: Record<string, unknown> | undefined,
    res: ServerResponse,
  ): void {
    const key = (n: string) => `${namespace}/${n}`;
    const record = (n: string, code: number) => {
      const holder = String(((body?.spec ?? {}) as Record<string, unknown>).holderIdentity ?? '');
      if (method !== 'GET') this.leaseWrites.push({ method, name: n, holder, status: code });
    };
    if (method === 'GET' && name) {
      const found = this.leases.get(key(name));
      json(res, found ? 200 : 404, found ?? status(404, 'NotFound', `leases.coordination.k8s.io "${name}" not found`));
      return;
    }
    if (!body) {
      json(res, 400, status(400, 'BadRequest', 'the request body is not JSON'));
      return;
    }
    const meta = (body.metadata ?? {}) as Record<string, unknown>;
    if (method === 'POST' && !name) {
      const n = String(meta.name ?? '');
      if (this.leases.has(key(n))) {
        record(n, json(res, 409, status(409, 'AlreadyExists', `leases.coordination.k8s.io "${n}" already exists`)));
        return;
      }
      const stored = this.storeLease(n, namespace, body, kubeTime());
      record(n, json(res, 201, stored));
      return;
    }
    if (method === 'PUT' && name) {
      const existing = this.leases.get(key(name));
      if (!existing) {
        record(name, json(res, 404, status(404, 'NotFound', `leases.coordination.k8s.io "${name}" not found`)));
        return;
      }
      if (meta.resourceVersion !== existing.metadata.resourceVersion) {
        record(
          name,
          json(
            res,
            409,
            status(
              409,
              'Conflict',
              `Operation cannot be fulfilled on leases.coordination.k8s.io "${name}": the object has been modified; please apply your changes to the latest version and try again`,
            ),
          ),
        );
        return;
      }
      record(name, json(res, 200, this.storeLease(name, namespace, body, existing.metadata.creationTimestamp as string)));
      return;
    }
    json(res, 405, status(405, 'MethodNotAllowed', `${method} on leases`));
  }

  private storeLease(name: string, namespace: string, body: Record<string, unknown>, created: string): KubeObject {
    this.leaseRv += 1;
    const stored: KubeObject = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace, uid: `lease-${namespace}-${name}`, resourceVersion: String(this.leaseRv), creationTimestamp: created },
      spec: structuredClone(body.spec ?? {}),
    };
    this.leases.set(`${namespace}/${name}`, stored);
    return structuredClone(stored);
  }
}

/** events.k8s.io/v1 → core/v1 field names (K-EVCONV), `partial` for a patch. */
function fromEventsV1(v1: Record<string, unknown>, partial = false): Record<string, unknown> {
  const map: Record<string, string> = {
    regarding: 'involvedObject',
    note: 'message',
    reportingController: 'reportingComponent',
    deprecatedSource: 'source',
    deprecatedFirstTimestamp: 'firstTimestamp',
    deprecatedLastTimestamp: 'lastTimestamp',
    deprecatedCount: 'count',
  };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(v1)) if (k !== 'apiVersion' && k !== 'kind') out[map[k] ?? k] = v;
  if (!partial) out.apiVersion = 'v1';
  return out;
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function readBody(req: IncomingMessage, then: (body: Record<string, unknown> | undefined) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (chunks.length === 0) return then(undefined);
    try {
      then(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
    } catch {
      then(undefined);
    }
  });
}

function json(res: ServerResponse, code: number, body: unknown): number {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
  return code;
}

function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}
