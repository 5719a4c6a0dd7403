// Discovery as kube-apiserver answers it (/api, /api/v1, /apis, /apis/<group>/<version>), for the
// resources the fake API server serves, so the real kubectl can map `pod/NAME` and `describe` it.
// Aggregated discovery (Accept: …;as=APIGroupDiscoveryList) is not offered: kubectl then falls
// back to these legacy documents, as against an API server before 1.26.
import type { ServerResponse } from 'node:http';

const verbs = (...v: string[]) => v;
const resource = (name: string, kind: string, namespaced: boolean, v: string[]) => ({
  name,
  singularName: kind.toLowerCase(),
  namespaced,
  kind,
  verbs: v,
});
const READ = verbs('get', 'list', 'watch');

const RESOURCES: Record<string, Array<ReturnType<typeof resource>>> = {
  v1: [
    resource('pods', 'Pod', true, READ),
    resource('events', 'Event', true, verbs('create', 'get', 'list', 'patch', 'update', 'watch')),
    resource('namespaces', 'Namespace', false, verbs('get')),
    resource('services', 'Service', true, verbs('get', 'list')),
  ],
  'events.k8s.io/v1': [resource('events', 'Event', true, verbs('create', 'get', 'list', 'patch', 'update', 'watch'))],
  'coordination.k8s.io/v1': [resource('leases', 'Lease', true, verbs('create', 'get', 'update'))],
  'authentication.k8s.io/v1': [resource('tokenreviews', 'TokenReview', false, verbs('create'))],
};

/** Answers a discovery path; false if `path` is not one. */
export function answerDiscovery(path: string, res: ServerResponse): boolean {
  const send = (body: unknown) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
    return true;
  };
  if (path === '/api') return send({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
  if (path === '/apis') {
    const groups = Object.keys(RESOURCES)
      .filter((gv) => gv.includes('/'))
      .map((gv) => {
        const [group, version] = gv.split('/') as [string, string];
        const preferred = { groupVersion: gv, version };
        return { name: group, versions: [preferred], preferredVersion: preferred };
      });
    return send({ kind: 'APIGroupList', apiVersion: 'v1', groups });
  }
  const groupVersion = path === '/api/v1' ? 'v1' : path.startsWith('/apis/') ? path.slice('/apis/'.length) : undefined;
  const resources = groupVersion === undefined ? undefined : RESOURCES[groupVersion];
  if (!resources) return false;
  return send({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources });
}
