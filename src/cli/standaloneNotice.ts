// What `standalone` says once it listens: where the UI is, and — when it listens on loopback only
// (its default) — how to open it to other machines. One pure function, so the wording is tested.
import type { ListenAddress } from '../config/index.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

export function standaloneNotice(http: ListenAddress, httpPort: number, metrics: ListenAddress, metricsPort: number): string {
  const host = (a: ListenAddress) => (a.host === '' || a.host === '0.0.0.0' || a.host === '::' ? '127.0.0.1' : a.host);
  const url = (a: ListenAddress, port: number, path: string) => {
    const h = host(a);
    return `http://${h.includes(':') ? `[${h}]` : h}:${port}${path}`;
  };
  const where = `web UI and API at ${url(http, httpPort, '/')}, metrics at ${url(metrics, metricsPort, '/metrics')}`;
  if (LOOPBACK_HOSTS.has(http.host) && LOOPBACK_HOSTS.has(metrics.host))
    return `${where}; reachable from this machine only (to serve other machines: --http-addr :${http.port} --metrics-addr :${metrics.port}, or PULLTRACE_HTTP_ADDR / PULLTRACE_METRICS_ADDR; there is no login, see docs/security.md)`;
  return `${where}; listening beyond this machine: anyone who can reach these ports can read every pull and post reports (see docs/security.md)`;
}
