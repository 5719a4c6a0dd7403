// `pulltrace standalone` runs on machines whose containerd lives at different paths. When the
// configured socket is the default and missing, the usual places are tried; when none exists the
// server keeps running (remote agents can still report) and the log says what was tried.
import { type SocketState, socketState } from './containerd/connect.js';

export const DEFAULT_CONTAINERD_SOCKET = '/run/containerd/containerd.sock';

/** Where containerd's socket is on common set-ups. */
export const KNOWN_CONTAINERD_SOCKETS: Array<{ path: string; where: string }> = [
  { path: DEFAULT_CONTAINERD_SOCKET, where: 'containerd default, kind and most Kubernetes nodes' },
  { path: '/run/k3s/containerd/containerd.sock', where: 'k3s and RKE2' },
  { path: '/var/run/containerd/containerd.sock', where: 'containerd default on hosts where /var/run is not /run' },
  { path: '/run/k0s/containerd.sock', where: 'k0s' },
  { path: '/var/snap/microk8s/common/run/containerd.sock', where: 'MicroK8s' },
  { path: '/run/docker/containerd/containerd.sock', where: "Docker's own containerd (images in namespace moby)" },
];

export interface SocketSearch {
  found?: string;
  tried: string[];
}

/** Pure: the socket to use, given what exists. Only the default setting triggers the search. */
export function chooseSocket(configured: string, state: (path: string) => SocketState): SocketSearch {
  const candidates = configured === DEFAULT_CONTAINERD_SOCKET ? KNOWN_CONTAINERD_SOCKETS.map((c) => c.path) : [configured];
  const tried: string[] = [];
  for (const path of candidates) {
    if (tried.includes(path)) continue;
    tried.push(path);
    if (state(path) === 'socket') return { found: path, tried };
  }
  return { tried };
}

export async function findContainerdSocket(configured: string): Promise<SocketSearch> {
  const candidates = configured === DEFAULT_CONTAINERD_SOCKET ? KNOWN_CONTAINERD_SOCKETS.map((c) => c.path) : [configured];
  const states = new Map<string, SocketState>();
  for (const path of candidates) states.set(path, await socketState(path));
  return chooseSocket(configured, (p) => states.get(p) ?? 'missing');
}

/** What the user reads when no socket was found. */
export function noSocketMessage(search: SocketSearch): string {
  return [
    `no containerd socket found (tried ${search.tried.join(', ')});`,
    'serving the API and UI without a local agent (remote agents can still report).',
    'Point at your containerd with --containerd-socket <path> or PULLTRACE_CONTAINERD_SOCKET',
    '(k3s/RKE2: /run/k3s/containerd/containerd.sock; MicroK8s: /var/snap/microk8s/common/run/containerd.sock).',
  ].join(' ');
}
