// A free TCP port on 127.0.0.1, for daemons that need the port in their config file.
// (The port is free when returned; a daemon that then fails to bind should be retried.)
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('freePort: no TCP address'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/**
 * Starts a daemon on a free port, retried on a fresh port (up to `attempts` times) because another
 * process may take the port between choosing it and the daemon binding it. `start(port)` starts
 * and waits for it; `abandon()` ends a failed attempt. Throws the last attempt's error.
 */
export async function startOnFreePort(
  start: (port: number) => Promise<void>,
  abandon: () => Promise<unknown>,
  choose: () => Promise<number> = freePort,
  attempts = 3,
): Promise<number> {
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = await choose();
    try {
      await start(port);
      return port;
    } catch (err) {
      lastError = err;
      await abandon();
    }
  }
  throw lastError;
}
