// The few reads `helm install|upgrade --dry-run=server` makes of a cluster, answered over real HTTP
// in the API server's own formats: /version, discovery (/api, /api/v1, /apis), the release's
// storage Secrets (none: a first install), one Namespace and the Node list. It lets the chart's
// `lookup` pre-flights (Pod Security level, containerd preset "auto") run as they do against a
// cluster. Everything else is a real-format 404 Status.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from './objects.js';

export interface HelmReadsCluster {
  /** the release namespace; `labels: undefined` = it has none, `exists: false` = not created yet */
  namespace: { name: string; exists?: boolean; labels?: Record<string, string> };
  /** nodes as { name, kubeletVersion, labels } */
  nodes: Array<{ name: string; kubeletVersion: string; labels?: Record<string, string> }>;
  /** paths answered 403 Forbidden, as for a user without `get namespaces` / `list nodes` */
  forbidden?: string[];
  /** the API server's version as /version's gitVersion (default v1.31.4) */
  version?: string;
}

export interface HelmReadsApi {
  url: string;
  /** "METHOD path" of every request, in order */
  requests: string[];
  close(): Promise<void>;
}

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const resource = (name: string, kind: string, namespaced: boolean) => ({
  name,
  singularName: kind.toLowerCase(),
  namespaced,
  kind,
  verbs: VERBS,
});

/** Discovery of every kind the chart renders (helm maps each object to its REST resource). */
const RESOURCE_LISTS: Record<string, Array<ReturnType<typeof resource>>> = {
  v1: [
    resource('namespaces', 'Namespace', false),
    resource('nodes', 'Node', false),
    resource('secrets', 'Secret', true),
    resource('serviceaccounts', 'ServiceAccount', true),
    resource('services', 'Service', true),
    resource('persistentvolumeclaims', 'PersistentVolumeClaim', true),
    resource('configmaps', 'ConfigMap', true),
  ],
  'apps/v1': [resource('deployments', 'Deployment', true), resource('daemonsets', 'DaemonSet', true)],
  'rbac.authorization.k8s.io/v1': [
    resource('clusterroles', 'ClusterRole', false),
    resource('clusterrolebindings', 'ClusterRoleBinding', false),
    resource('roles', 'Role', true),
    resource('rolebindings', 'RoleBinding', true),
  ],
  'networking.k8s.io/v1': [resource('ingresses', 'Ingress', true), resource('networkpolicies', 'NetworkPolicy', true)],
};

const GROUPS = Object.keys(RESOURCE_LISTS)
  .filter((gv) => gv.includes('/'))
  .map((gv) => {
    const [group, version] = gv.split('/') as [string, string];
    const v = { groupVersion: gv, version };
    return { name: group, versions: [v], preferredVersion: v };
  });

function namespaceObject(ns: HelmReadsCluster['namespace']): KubeObject {
  // Since 1.21 every namespace carries its name as a label; the rest are the cluster's own.
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns.name, labels: { 'kubernetes.io/metadata.name': ns.name, ...ns.labels } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

function nodeObject(n: HelmReadsCluster['nodes'][number]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: n.name, labels: { 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux', ...n.labels } },
    status: {
      nodeInfo: {
        kubeletVersion: n.kubeletVersion,
        kubeProxyVersion: n.kubeletVersion,
        containerRuntimeVersion: 'containerd://1.7.22',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

export async function startHelmReadsApi(cluster: HelmReadsCluster): Promise<HelmReadsApi> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const notFound = () =>
      send(404, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `${path} not found`,
        reason: 'NotFound',
        code: 404,
      });
    if (req.method !== 'GET') return notFound();
    if (cluster.forbidden?.includes(path))
      return send(403, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `${path} is forbidden: User "namespace-admin" cannot get this resource`,
        reason: 'Forbidden',
        code: 403,
      });
    if (path === '/version') {
      const gitVersion = cluster.version ?? 'v1.31.4';
      const [major, minor] = gitVersion.replace(/^v/, '').split('.');
      return send(200, { major, minor, gitVersion, platform: 'linux/amd64' });
    }
    if (path === '/api') return send(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (path === '/apis') return send(200, { kind: 'APIGroupList', apiVersion: 'v1', groups: GROUPS });
    const groupVersion = path === '/api/v1' ? 'v1' : path.startsWith('/apis/') ? path.slice('/apis/'.length) : undefined;
    const resources = groupVersion === undefined ? undefined : RESOURCE_LISTS[groupVersion];
    if (resources) return send(200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources });
    if (path === `/api/v1/namespaces/${cluster.namespace.name}/secrets`)
      return send(200, { kind: 'SecretList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] });
    if (path === `/api/v1/namespaces/${cluster.namespace.name}` && cluster.namespace.exists !== false)
      return send(200, namespaceObject(cluster.namespace));
    if (path === '/api/v1/nodes')
      return send(200, { kind: 'NodeList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: cluster.nodes.map(nodeObject) });
    notFound();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
