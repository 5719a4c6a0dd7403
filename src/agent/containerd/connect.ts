// Proves that a socket is containerd before the agent uses it: its Version service must answer.
// This replaces a path allow-list: any path may be configured, but only containerd is accepted.
import { stat } from 'node:fs/promises';
import { connect } from 'node:net';
import type { ServiceError } from '@grpc/grpc-js';
import type { ContainerdClient } from './client.js';
import type { RuntimeVersion } from './types.js';

const VERSION_TIMEOUT_MS = 5_000;

/** The socket exists and answers, but not as containerd: using it would be wrong, so this is final. */
export class NotContainerdError extends Error {}
/** Nothing answers on the socket (yet): containerd may be starting or restarting. */
export class ContainerdUnavailableError extends Error {}
/** No socket file at the path: final at start-up (wrong path), transient later (containerd restarting). */
export class SocketMissingError extends ContainerdUnavailableError {}

export type SocketState = 'missing' | 'not-a-socket' | 'socket';

export async function socketState(path: string): Promise<SocketState> {
  try {
    return (await stat(path)).isSocket() ? 'socket' : 'not-a-socket';
  } catch {
    return 'missing';
  }
}

/** Opens a raw connection to tell "nobody listening" (stale socket file) from a peer that answers. */
function canConnect(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Calls containerd's Version on `client`. Throws NotContainerdError when the peer answers otherwise,
 * ContainerdUnavailableError when nothing listens (SocketMissingError when there is no socket file).
 */
export async function verifyContainerd(client: ContainerdClient): Promise<RuntimeVersion> {
  const path = client.socketPath;
  const state = await socketState(path);
  if (state === 'missing') throw new SocketMissingError(`containerd socket ${path} does not exist`);
  if (state === 'not-a-socket') throw new NotContainerdError(`containerd socket ${path} is not a unix socket`);
  if (!(await canConnect(path)))
    throw new ContainerdUnavailableError(`nothing is listening on containerd socket ${path} (is containerd running?)`);
  let version: RuntimeVersion;
  try {
    version = await client.getVersion(VERSION_TIMEOUT_MS);
  } catch (err) {
    const e = err as ServiceError;
    // grpc-js status 4 = DEADLINE_EXCEEDED: the peer accepted the connection but never spoke gRPC.
    const why = e.code === 4 ? `no gRPC answer within ${VERSION_TIMEOUT_MS / 1000}s` : e.details || e.message;
    throw new NotContainerdError(`containerd socket ${path} answered, but not as containerd (Version call failed: ${why})`);
  }
  if (!version.version) {
    throw new NotContainerdError(`containerd socket ${path} answered, but not as containerd (Version returned no version)`);
  }
  return version;
}
