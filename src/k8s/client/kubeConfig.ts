// Where the Kubernetes connection comes from (contract PULLTRACE_KUBERNETES=auto): the pod's
// service account when running in a cluster, else KUBECONFIG, else ~/.kube/config. The client's
// own loadFromDefault is not used: it prefers KUBECONFIG over the service account and finally
// falls back to http://localhost:8080, which would hide "no cluster" behind connection errors.
import { existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export type KubeConfigResult = { ok: true; kc: KubeConfig; source: string; server: string } | { ok: false; reason: string };

export interface KubeConfigDeps {
  exists: (path: string) => boolean;
  home: () => string;
  serviceAccountDir: string;
}

function realDeps(env: NodeJS.ProcessEnv): KubeConfigDeps {
  return { exists: existsSync, home: () => env.HOME ?? homedir(), serviceAccountDir: SERVICE_ACCOUNT_DIR };
}

export function loadKubeConfig(env: NodeJS.ProcessEnv, deps: KubeConfigDeps = realDeps(env)): KubeConfigResult {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  const tokenFile = join(deps.serviceAccountDir, 'token');
  if (host && port && deps.exists(tokenFile)) {
    const kc = new KubeConfig();
    const server = `https://${isIPv6(host) ? `[${host}]` : host}:${port}`;
    const namespaceFile = join(deps.serviceAccountDir, 'namespace');
    kc.loadFromOptions({
      clusters: [{ name: 'in-cluster', server, caFile: join(deps.serviceAccountDir, 'ca.crt'), skipTLSVerify: false }],
      // tokenFile re-reads the projected token, which the kubelet rotates
      users: [{ name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile } } }],
      contexts: [
        {
          name: 'in-cluster',
          cluster: 'in-cluster',
          user: 'in-cluster',
          namespace: readNamespace(namespaceFile),
        },
      ],
      currentContext: 'in-cluster',
    });
    return { ok: true, kc, source: 'in-cluster service account', server };
  }

  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter((p) => p !== '');
  if (listed.length > 0) {
    const files = listed.filter((p) => deps.exists(p));
    if (files.length === 0) return { ok: false, reason: `KUBECONFIG names no existing file (${listed.join(delimiter)})` };
    return fromFiles(files, `KUBECONFIG ${files.join(delimiter)}`);
  }
  const home = deps.home();
  const defaultFile = home ? join(home, '.kube', 'config') : '';
  if (defaultFile && deps.exists(defaultFile)) return fromFiles([defaultFile], defaultFile);
  return {
    ok: false,
    reason: `not in a cluster (no KUBERNETES_SERVICE_HOST or ${tokenFile}), KUBECONFIG unset and ${defaultFile || '~/.kube/config'} missing`,
  };
}

/** Loads and merges kubeconfig files; every problem is a reason naming `source` (the file or variable). */
export function fromFiles(files: string[], source: string): KubeConfigResult {
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(files[0] as string);
    for (const file of files.slice(1)) {
      const more = new KubeConfig();
      more.loadFromFile(file);
      kc.mergeConfig(more, true);
    }
    const cluster = kc.getCurrentCluster();
    if (!cluster) return { ok: false, reason: `${source}: no current context with a cluster` };
    if (cluster.server.startsWith('http:') && !cluster.skipTLSVerify) {
      return { ok: false, reason: `${source}: plain http server ${cluster.server} needs insecure-skip-tls-verify: true` };
    }
    return { ok: true, kc, source, server: cluster.server };
  } catch (err) {
    return { ok: false, reason: `${source}: ${(err as Error).message}` };
  }
}

function readNamespace(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim() || 'default';
  } catch {
    return 'default'; // only informational: the watches name their namespaces explicitly
  }
}
