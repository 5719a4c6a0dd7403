// `kubectl pulltrace …` (the package bin `kubectl-pulltrace`, found by kubectl as a plugin): the
// same view as `pulltrace watch`, reaching the server through the Kubernetes API server's service
// proxy with the user's kubeconfig — no port-forward, no exposed Service. Permissions needed:
// `get` on `services/proxy` in the server's namespace, plus `list` on `services` to find it by
// the chart's labels (skipped with --service). No bearer token of its own (--token-file,
// PULLTRACE_TOKEN): the API server takes the Authorization header for itself and does not pass it
// on, and its proxy reaches the server's Service directly, past any Ingress or authenticating proxy.
import type https from 'node:https';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { printable, redactSecrets } from '../common/index.js';
import type { PullStatus } from '../model/index.js';
import {
  describeFailure,
  HttpError,
  httpTransport,
  parseWatchArgs,
  serverMessage,
  type WatchIo,
  type WatchOptions,
  WatchUsageError,
  watch,
  watchHelp,
} from '../watch/index.js';
import { describePodText, parseDescribeArgs } from './describePod.js';
import { pickServerService, SERVER_SERVICE_SELECTOR, type ServerService, serviceProxyPath } from './findService.js';
import { loadPluginKubeConfig } from './pluginKubeConfig.js';

const KUBECTL_FLAGS = [
  { name: 'pulltrace-namespace', help: 'namespace of the Pulltrace server (default: search every namespace for the chart’s Service)' },
  { name: 'service', help: 'name of the server’s Service: skips the search (then only `get` on `services/proxy` is needed)' },
  { name: 'kubeconfig', help: 'kubeconfig file (default: KUBECONFIG, then ~/.kube/config)' },
  { name: 'context', help: 'kubeconfig context (default: the current one)' },
];

export async function runKubectlPulltrace(argv: string[], io: WatchIo): Promise<number> {
  if (argv[0] === 'describe') return runDescribePod(argv.slice(1), io);
  let options: WatchOptions;
  try {
    if (argv.some((a) => a === '--server' || a.startsWith('--server='))) {
      throw new WatchUsageError(
        '--server is not used here: the server is reached through the API server (use `pulltrace watch --server` for a direct URL)',
      );
    }
    if (argv.some((a) => a === '--token-file' || a.startsWith('--token-file='))) {
      throw new WatchUsageError(
        '--token-file is not used here: the API server takes the Authorization header for itself, and its service proxy reaches the Pulltrace server directly (past any Ingress or authenticating proxy), so your kubeconfig’s credentials are what count; for a server behind an authenticating proxy use `pulltrace watch --server <url> --token-file <file>`',
      );
    }
    // The server URL is the API server's proxy, never PULLTRACE_SERVER_URL; no PULLTRACE_TOKEN either (above).
    options = parseWatchArgs(argv, { ...io.env, PULLTRACE_SERVER_URL: undefined, PULLTRACE_TOKEN: undefined }, KUBECTL_FLAGS);
  } catch (err) {
    if (err instanceof WatchUsageError) {
      io.stderr.write(`kubectl pulltrace: ${printable(err.message)}\n`);
      return 2;
    }
    throw err;
  }
  if (options.help) {
    io.stdout.write(
      `${watchHelp(
        'kubectl pulltrace',
        KUBECTL_FLAGS.concat(),
        'Live pull progress from the Pulltrace server in your cluster, through the API server’s service proxy.',
      )
        .replace(/\n {2}--server=…\n.*\n/, '\n')
        .replace(/\n {2}--token-file=…\n.*\n/, '\n')}\n`,
    );
    return 0;
  }

  const loaded = loadPluginKubeConfig(options.extra.kubeconfig || undefined, process.env);
  if (!loaded.ok) {
    io.stderr.write(`kubectl pulltrace: ${printable(redactSecrets(loaded.reason))}\n`);
    return 1;
  }
  const kc = loaded.kc;
  let service: ServerService;
  try {
    if (options.extra.context) {
      if (!kc.getContextObject(options.extra.context))
        throw new Error(`--context: no context "${options.extra.context}" in the kubeconfig`);
      kc.setCurrentContext(options.extra.context);
    }
    if (!kc.getCurrentCluster()) throw new Error('no current cluster in the kubeconfig (set one with kubectl config use-context)');
    service = await findService(kc, options.extra['pulltrace-namespace'], options.extra.service);
  } catch (err) {
    io.stderr.write(`kubectl pulltrace: ${printable(redactSecrets(err instanceof Error ? err.message : String(err)))}\n`);
    return 1;
  }

  const cluster = kc.getCurrentCluster() as { server: string };
  // Asked per request: exec-plugin and rotated tokens stay valid across reconnects.
  const requestOptions = async (): Promise<https.RequestOptions> => {
    const options: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(options);
    return options;
  };
  const describe = `service ${service.namespace}/${service.name} via ${redactSecrets(cluster.server)}`;
  const transport = httpTransport(cluster.server.replace(/\/+$/, '') + serviceProxyPath(service), requestOptions, describe);
  try {
    return await watch(transport, options, io);
  } catch (err) {
    io.stderr.write(`kubectl pulltrace: ${printable(redactSecrets(explainProxyError(err, service, describe)))}\n`);
    return 1;
  }
}

/** `kubectl pulltrace describe pod/NAME -n NS`: the pod's pulls from the server (describePod.ts). */
async function runDescribePod(argv: string[], io: WatchIo): Promise<number> {
  let args: ReturnType<typeof parseDescribeArgs>;
  try {
    args = parseDescribeArgs(argv);
  } catch (err) {
    io.stderr.write(`kubectl pulltrace: ${printable((err as Error).message)}\n`);
    return 2;
  }
  const loaded = loadPluginKubeConfig(args.extra.kubeconfig || undefined, process.env);
  if (!loaded.ok) {
    io.stderr.write(`kubectl pulltrace: ${printable(redactSecrets(loaded.reason))}\n`);
    return 1;
  }
  const kc = loaded.kc;
  let service: ServerService | undefined;
  let describe = '';
  try {
    if (args.extra.context) {
      if (!kc.getContextObject(args.extra.context)) throw new Error(`--context: no context "${args.extra.context}" in the kubeconfig`);
      kc.setCurrentContext(args.extra.context);
    }
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('no current cluster in the kubeconfig (set one with kubectl config use-context)');
    service = await findService(kc, args.extra['pulltrace-namespace'], args.extra.service);
    describe = `service ${service.namespace}/${service.name} via ${redactSecrets(cluster.server)}`;
    const namespace = args.namespace || kc.getContextObject(kc.getCurrentContext())?.namespace || 'default';
    const requestOptions = async (): Promise<https.RequestOptions> => {
      const options: https.RequestOptions = {};
      await kc.applyToHTTPSOptions(options);
      return options;
    };
    const transport = httpTransport(cluster.server.replace(/\/+$/, '') + serviceProxyPath(service), requestOptions, describe);
    const query = new URLSearchParams({ namespace, pod: args.pod, layers: '0' });
    const res = await transport.get(`/api/v1/pulls?${query}`, { Accept: 'application/json' });
    const text = await res.text();
    if (res.status !== 200) throw new HttpError(res.status, '/api/v1/pulls', text);
    const pulls = (JSON.parse(text) as { pulls?: PullStatus[] }).pulls ?? [];
    io.stdout.write(describePodText(pulls, namespace, args.pod, Date.now()));
    return 0;
  } catch (err) {
    const message = service ? explainProxyError(err, service, describe) : err instanceof Error ? err.message : String(err);
    io.stderr.write(`kubectl pulltrace: ${printable(redactSecrets(message))}\n`);
    return 1;
  }
}

async function findService(kc: KubeConfig, namespace: string | undefined, name: string | undefined): Promise<ServerService> {
  if (name) return { namespace: namespace || kc.getContextObject(kc.getCurrentContext())?.namespace || 'default', name, port: 'http' };
  const api = kc.makeApiClient(CoreV1Api);
  let items: Parameters<typeof pickServerService>[0];
  try {
    const list = namespace
      ? await api.listNamespacedService({ namespace, labelSelector: SERVER_SERVICE_SELECTOR })
      : await api.listServiceForAllNamespaces({ labelSelector: SERVER_SERVICE_SELECTOR });
    items = list.items;
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (code === 403) {
      throw new Error(
        `forbidden to list services ${namespace ? `in namespace "${namespace}"` : 'cluster-wide'} to find the Pulltrace server: needs \`list\` on \`services\`${namespace ? '' : ' (or pass --pulltrace-namespace)'}, or pass --service <name> to skip the search`,
      );
    }
    if (code === 401)
      throw new Error('the API server refused the kubeconfig’s credentials (401); log in again (kubectl get pods to check)');
    throw new Error(`cannot list services to find the Pulltrace server: ${(err as Error).message?.split('\n')[0] ?? String(err)}`);
  }
  const found = pickServerService(items, namespace);
  if (!found.ok) throw new Error(found.message);
  return found.service;
}

/** What a failure through the service proxy means for the person running the plugin. */
export function explainProxyError(err: unknown, service: ServerService, describe: string): string {
  if (err instanceof HttpError && err.status === 403) {
    return `forbidden: reaching the Pulltrace server needs \`get\` on \`services/proxy\` in namespace "${service.namespace}" (check: kubectl auth can-i get services/proxy -n ${service.namespace}); the API server said: ${serverMessage(err.body)}`;
  }
  if (err instanceof HttpError && err.status === 401) return 'the API server refused the kubeconfig’s credentials (401); log in again';
  if (err instanceof HttpError && PROXY_FAILURE_STATUSES.has(err.status)) {
    const said = serverMessage(err.body);
    const where = `the API server could not reach ${service.namespace}/${service.name} (${err.status}${said ? `: ${said}` : ''})`;
    if (/no endpoints available/i.test(said))
      return `${where}; the server pod is not running or not ready (kubectl -n ${service.namespace} get pods)`;
    return `${where}; ${networkPolicyHint(service)}`;
  }
  if ((err as NodeJS.ErrnoException)?.code === 'ETIMEDOUT') return `${describeFailure(err, describe)}; ${networkPolicyHint(service)}`;
  return describeFailure(err, describe);
}

/** The API server's proxy answers these when it cannot connect to (or hear back from) the pod. */
const PROXY_FAILURE_STATUSES = new Set([502, 503, 504]);

// The chart's NetworkPolicy admits the API server only from networkPolicy.apiServerCIDRs, so a dial
// timeout through the proxy most often means the policy dropped it rather than a missing pod.
function networkPolicyHint(service: ServerService): string {
  return `if the server pod is running and ready (kubectl -n ${service.namespace} get pods), a NetworkPolicy is likely dropping the API server's connection to it: the chart's admits the API server only from networkPolicy.apiServerCIDRs (set it to the addresses of \`kubectl get endpoints kubernetes -n default\`, as /32), or port-forward instead: \`kubectl -n ${service.namespace} port-forward svc/${service.name} 8080:${service.port}\`, then \`pulltrace watch --server http://127.0.0.1:8080\``;
}
