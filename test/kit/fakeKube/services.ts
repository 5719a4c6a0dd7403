// Services and the API server's service proxy for the fake API: list Services (by label
// selector, in a namespace or in all), get one, and `…/services/<name>:<port>/proxy/<path>`
// forwarded to a real HTTP server the test names, streamed (SSE passes through), as the real API
// server does. RBAC is modelled only as far as tests need it: a namespace can refuse the proxy or
// the list with the real 403 Status text.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:http';

export interface FakeService {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  ports: Array<{ name: string; port: number }>;
  /** base URL the proxy forwards to (the Service's endpoints); none: 503 like a Service without ready endpoints */
  target?: string;
}

export class FakeServices {
  private readonly services = new Map<string, FakeService>();
  private readonly proxyForbidden = new Set<string>();
  private readonly listForbidden = new Set<string>();
  /** user name in 403 messages (the real API server names the authenticated user) */
  user = 'fake-user';

  add(service: FakeService): void {
    this.services.set(`${service.namespace}/${service.name}`, service);
  }

  /** `get` on `services/proxy` is refused in this namespace */
  forbidProxy(namespace: string): void {
    this.proxyForbidden.add(namespace);
  }

  /** `list` on `services` is refused in this namespace ('*' for cluster-wide) */
  forbidList(namespace: string): void {
    this.listForbidden.add(namespace);
  }

  /** Handles the request if it is about services; false if not. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    const proxy = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/:]+)(?::([^/]+))?\/proxy(\/.*)?$/.exec(url.pathname);
    if (proxy) {
      this.proxy(req, res, url, decodeURIComponent(proxy[1] as string), decodeURIComponent(proxy[2] as string), proxy[4] ?? '/');
      return true;
    }
    const list = /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?services(?:\/([^/]+))?$/.exec(url.pathname);
    if (!list) return false;
    const namespace = list[1] ? decodeURIComponent(list[1]) : undefined;
    if (list[2]) {
      const found = this.services.get(`${namespace}/${decodeURIComponent(list[2])}`);
      if (!found) json(res, 404, status(404, 'NotFound', `services "${list[2]}" not found`));
      else json(res, 200, toObject(found));
      return true;
    }
    if (this.listForbidden.has(namespace ?? '*') || this.listForbidden.has('*')) {
      const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
      json(
        res,
        403,
        status(403, 'Forbidden', `services is forbidden: User "${this.user}" cannot list resource "services" in API group "" ${scope}`),
      );
      return true;
    }
    const selector = (url.searchParams.get('labelSelector') ?? '')
      .split(',')
      .filter(Boolean)
      .map((part) => part.split('=') as [string, string]);
    const items = [...this.services.values()]
      .filter((s) => !namespace || s.namespace === namespace)
      .filter((s) => selector.every(([k, v]) => s.labels[k] === v))
      .map(toObject);
    json(res, 200, { kind: 'ServiceList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items });
    return true;
  }

  private proxy(req: IncomingMessage, res: ServerResponse, url: URL, namespace: string, name: string, path: string): void {
    if (this.proxyForbidden.has(namespace)) {
      json(
        res,
        403,
        status(
          403,
          'Forbidden',
          `services "${name}" is forbidden: User "${this.user}" cannot get resource "services/proxy" in API group "" in the namespace "${namespace}"`,
        ),
      );
      return;
    }
    const service = this.services.get(`${namespace}/${name}`);
    if (!service) {
      json(res, 404, status(404, 'NotFound', `services "${name}" not found`));
      return;
    }
    if (!service.target) {
      json(res, 503, status(503, 'ServiceUnavailable', `no endpoints available for service "${name}"`));
      return;
    }
    const headers = { ...req.headers };
    delete headers.authorization; // the API server never forwards the user's credentials
    delete headers.host;
    const upstream = request(`${service.target}${path}${url.search}`, { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (err) => {
      if (!res.headersSent) json(res, 503, status(503, 'ServiceUnavailable', `error trying to reach service: ${err.message}`));
      else res.destroy();
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }
}

function toObject(s: FakeService): Record<string, unknown> {
  return {
    kind: 'Service',
    apiVersion: 'v1',
    metadata: { name: s.name, namespace: s.namespace, labels: s.labels, uid: `${s.namespace}-${s.name}`, resourceVersion: '1' },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', ports: s.ports.map((p) => ({ ...p, protocol: 'TCP', targetPort: p.name })) },
  };
}

function json(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}
