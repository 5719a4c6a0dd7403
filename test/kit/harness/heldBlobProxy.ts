// An HTTP proxy in front of the registry that answers one blob's headers at once and holds its
// body until release(), and delays other blobs' headers a little: the blob's response headers
// (hence its blob-info cache row) come first, its body last — the order that makes a CRI-O
// agent's first attribution of a file wrong (docs/agent.md, "CRI-O nodes").
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HeldBlobProxy {
  host: string;
  /** let the held blob's body through */
  release(): void;
  /** true once the held blob was asked for */
  requested(): boolean;
  close(): Promise<void>;
}

export async function startHeldBlobProxy(registryPort: number, heldDigest: string, otherHeadersDelayMs = 300): Promise<HeldBlobProxy> {
  let released = false;
  let asked = false;
  const waiting: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    const isBlob = /\/blobs\/sha256:/.test(url) && req.method === 'GET';
    const held = isBlob && url.endsWith(heldDigest);
    if (held) asked = true;
    const upstream = request(
      {
        host: '127.0.0.1',
        port: registryPort,
        path: url,
        method: req.method,
        headers: { ...req.headers, host: `127.0.0.1:${registryPort}` },
      },
      (up) => {
        const answer = () => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          res.flushHeaders();
          const body = () => up.pipe(res);
          if (held && !released) waiting.push(body);
          else body();
        };
        if (isBlob && !held) setTimeout(answer, otherHeadersDelayMs);
        else answer();
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    release() {
      released = true;
      for (const go of waiting.splice(0)) go();
    },
    requested: () => asked,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
