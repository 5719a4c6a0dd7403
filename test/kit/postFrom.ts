// POST a report from a chosen loopback source address (127.0.0.2, 127.0.0.3, …): the server sees
// several clients, as per-address limits need, though everything stays on this machine.
import { Agent, request } from 'node:http';

export interface FromAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A keep-alive client whose connections all come from `localAddress`. */
export function clientFrom(localAddress: string, maxSockets = 1) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  return {
    post(baseUrl: string, body: unknown, headers: Record<string, string> = {}): Promise<FromAnswer> {
      const url = new URL('/api/v1/report', baseUrl);
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: 'POST',
            agent,
            localAddress,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
            );
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(text);
      });
    },
    close(): void {
      agent.destroy();
    },
  };
}
