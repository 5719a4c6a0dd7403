// The node agent: reads the local containerd and reports every pull on this node to a server.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { maskUrlSecrets } from '../common/index.js';
import { type AgentSettings, nodeNameFromHostname } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { AgentLoop } from './agentLoop.js';
import { ContainerdClient } from './containerd/client.js';
import { ContainerdUnavailableError, NotContainerdError, SocketMissingError, verifyContainerd } from './containerd/connect.js';
import type { RuntimeVersion } from './containerd/types.js';
import { findContainerdSocket, noSocketMessage } from './standaloneSocket.js';

export interface RunningAgent {
  close(): Promise<void>;
}

export interface AgentOptions {
  /** true when running inside `pulltrace standalone` (no containerd is then not fatal) */
  standalone: boolean;
  /** follow every containerd namespace, not only PULLTRACE_CONTAINERD_NAMESPACE (followedNamespaces.ts) */
  allNamespaces?: boolean;
}

export { followsAllNamespaces, type NamespaceChoice } from './followedNamespaces.js';

const NOTHING_RUNNING: RunningAgent = { close: async () => {} };

/**
 * Starts the agent. Refuses (rejects) a socket that is not containerd, or a missing one, in agent
 * mode; in standalone mode logs why and resolves with an agent that does nothing, so the server
 * keeps serving. A containerd that does not answer yet is retried in the background.
 */
export async function startAgent(settings: AgentSettings, logger: Logger, options: AgentOptions): Promise<RunningAgent> {
  const ca = settings.serverCaFile ? readServerCa(settings.serverCaFile) : undefined;
  let socket = settings.containerdSocket;
  if (options.standalone) {
    const search = await findContainerdSocket(socket);
    if (!search.found) {
      logger.warn({ tried: search.tried }, noSocketMessage(search));
      return NOTHING_RUNNING;
    }
    socket = search.found;
  }

  const client = new ContainerdClient(socket, settings.containerdNamespace);
  let runtime: RuntimeVersion | undefined;
  try {
    runtime = await verifyContainerd(client);
    const namespace = options.allNamespaces ? 'every namespace' : settings.containerdNamespace;
    logger.info({ socket, namespace, runtimeVersion: runtime.version }, 'connected to containerd');
  } catch (err) {
    if (err instanceof ContainerdUnavailableError && !(err instanceof SocketMissingError)) {
      logger.warn({ socket, reason: err.message }, 'containerd not answering yet; retrying in the background');
    } else {
      client.close();
      const message =
        err instanceof NotContainerdError
          ? err.message
          : `${(err as Error).message}; set --containerd-socket or PULLTRACE_CONTAINERD_SOCKET`;
      // The CLI prefixes start-up errors with "pulltrace: "; a second prefix here would repeat it.
      if (!options.standalone) throw new Error(message);
      logger.error({ socket }, `${message}; serving the API and UI without a local agent`);
      return NOTHING_RUNNING;
    }
  }

  sayNodeNameFromHostname(settings.nodeName, logger);
  const loop = new AgentLoop({ settings, logger, client, runtime, allNamespaces: options.allNamespaces === true, ...(ca ? { ca } : {}) });
  loop.start();
  logger.info(
    { serverUrl: maskUrlSecrets(settings.serverUrl), nodeName: settings.nodeName, reportIntervalMs: settings.reportIntervalMs },
    'agent reporting',
  );
  return { close: () => loop.stop() };
}

/** Once, when the node name is the host name made valid (Dev_Box → dev-box): the name on screen is not the host's. */
function sayNodeNameFromHostname(nodeName: string, logger: Logger): void {
  const host = hostname();
  if (nodeName === host.toLowerCase() || nodeName !== nodeNameFromHostname(host)) return;
  logger.info(
    { hostname: host, nodeName },
    `the host name is not a DNS-1123 name: reporting as ${nodeName} (PULLTRACE_NODE_NAME / --node-name chooses another)`,
  );
}

/** The CA bundle is read once at start: a missing or non-PEM file is a start-up error, not an outage. */
function readServerCa(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`pulltrace agent: cannot read PULLTRACE_SERVER_CA_FILE ${path}: ${(err as Error).message}`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error(`pulltrace agent: PULLTRACE_SERVER_CA_FILE ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  return text;
}
