import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import http from 'node:http';

/** LISTEN rows of a /proc/net/tcp or tcp6 table: local port and socket inode. */
export function parseListenTable(text: string): Array<{ port: number; inode: string }> {
  const rows: Array<{ port: number; inode: string }> = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    // cols: sl, local_address (hexip:hexport), rem_address, st (0A = LISTEN), …, inode at index 9
    if (cols.length < 10 || cols[3] !== '0A') continue;
    const port = Number.parseInt(cols[1]!.split(':').pop()!, 16);
    if (Number.isInteger(port)) rows.push({ port, inode: cols[9]! });
  }
  return rows;
}

/** TCP ports the process `pid` listens on (Linux /proc). */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // fd closed while we looked
    }
  }
  const ports = new Set<number>();
  for (const table of ['tcp', 'tcp6']) {
    for (const row of parseListenTable(readFileSync(`/proc/${pid}/net/${table}`, 'utf8'))) {
      if (inodes.has(row.inode)) ports.add(row.port);
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/** Status and body of a GET on 127.0.0.1 (no keep-alive); rejects on connection errors. */
export function getText(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} on port ${port} timed out`)));
    req.on('error', reject);
  });
}
