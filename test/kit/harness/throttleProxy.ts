// A throttling TCP proxy between containerd and the registry: a loopback pull otherwise takes 0.3 s.
//
// The registry→client direction goes through one token bucket shared by every connection (like one
// node's link): concurrent downloads split the rate, so a pull's total speed is the configured rate.
// Connections are served round-robin in small slices so parallel layer downloads advance together.
// Client→registry traffic (requests) is not throttled. Reading from the registry stops while a
// connection has more than HIGH_WATER bytes queued, so the registry feels real back-pressure.
import { createServer, type Server, Socket } from 'node:net';

export interface ThrottleProxy {
  /** "127.0.0.1:<port>" */
  host: string;
  port: number;
  /** registry→client rate for all connections together; applies live */
  setRate(bytesPerSec: number): void;
  /** keep every connection open but forward nothing in either direction (a hung link) */
  freeze(): void;
  unfreeze(): void;
  /** reset every connection (TCP RST: the client sees "connection reset by peer") and reset new ones */
  cut(): void;
  /** accept and forward connections again after cut() */
  restore(): void;
  /** total bytes forwarded registry→client */
  bytesToClient(): number;
  /** connections currently open */
  openConnections(): number;
  close(): Promise<void>;
}

const SLICE = 16 * 1024;
const HIGH_WATER = 256 * 1024;
const TICK_MS = 10;

interface Link {
  client: Socket;
  upstream: Socket;
  queue: Buffer[];
  queued: number;
  upstreamEnded: boolean;
  clientBlocked: boolean;
}

export function checkRate(bytesPerSec: number): number {
  if (!Number.isFinite(bytesPerSec) || bytesPerSec <= 0) {
    throw new Error(`throttle proxy: bytesPerSec must be a positive number, got ${bytesPerSec}`);
  }
  return bytesPerSec;
}

export async function startThrottleProxy(target: { host: string; port: number }, opts: { bytesPerSec: number }): Promise<ThrottleProxy> {
  let rate = checkRate(opts.bytesPerSec);
  let frozen = false;
  let isCut = false;
  let forwarded = 0;
  let tokens = 0;
  let lastRefill = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const links = new Set<Link>();

  // Bursts stay small (50 ms of data, at least one slice) so the rate holds at 100 ms resolution.
  const burst = (): number => Math.max(SLICE, rate * 0.05);

  const refill = (): void => {
    const now = performance.now();
    if (!frozen) tokens = Math.min(burst(), tokens + (rate * (now - lastRefill)) / 1000);
    lastRefill = now;
  };

  const schedule = (): void => {
    if (timer || frozen || isCut) return;
    timer = setTimeout(() => {
      timer = undefined;
      pump();
    }, TICK_MS);
  };

  const pump = (): void => {
    refill();
    let progressed = true;
    while (tokens >= 1 && progressed) {
      progressed = false;
      for (const link of [...links]) {
        if (!links.has(link) || link.queued === 0 || link.clientBlocked || tokens < 1) continue;
        // Round-robin across ticks too: a served link moves to the back of the line, so the first
        // connection does not get the first slice of every tick.
        links.delete(link);
        links.add(link);
        const head = link.queue[0]!;
        const n = Math.min(head.length, SLICE, Math.floor(tokens));
        const piece = head.subarray(0, n);
        if (n === head.length) link.queue.shift();
        else link.queue[0] = head.subarray(n);
        link.queued -= n;
        tokens -= n;
        forwarded += n;
        progressed = true;
        if (!link.client.write(piece)) {
          link.clientBlocked = true;
          link.client.once('drain', () => {
            link.clientBlocked = false;
            schedule();
          });
        }
        if (link.queued < HIGH_WATER / 2 && link.upstream.isPaused() && !frozen) link.upstream.resume();
        if (link.queued === 0 && link.upstreamEnded) link.client.end();
      }
    }
    if ([...links].some((l) => l.queued > 0)) schedule();
  };

  const drop = (link: Link): void => {
    link.client.destroy();
    link.upstream.destroy();
    links.delete(link);
  };

  const onConnection = (client: Socket): void => {
    if (isCut) {
      client.resetAndDestroy();
      return;
    }
    const upstream = new Socket();
    const link: Link = { client, upstream, queue: [], queued: 0, upstreamEnded: false, clientBlocked: false };
    links.add(link);
    client.setNoDelay(true);
    if (frozen) client.pause();
    client.on('data', (d: Buffer) => {
      if (!upstream.write(d)) client.pause();
    });
    upstream.on('drain', () => {
      if (!frozen) client.resume();
    });
    client.on('end', () => upstream.end());
    upstream.on('data', (d: Buffer) => {
      link.queue.push(d);
      link.queued += d.length;
      if (link.queued > HIGH_WATER || frozen) upstream.pause();
      schedule();
    });
    upstream.on('end', () => {
      link.upstreamEnded = true;
      if (link.queued === 0) client.end();
    });
    client.on('error', () => drop(link));
    upstream.on('error', () => drop(link));
    client.on('close', () => drop(link));
    upstream.on('close', () => {
      // Data still queued is delivered first; 'end' above closes the client after it.
      if (link.queued === 0) drop(link);
    });
    upstream.connect(target.port, target.host);
  };

  const server: Server = createServer({ allowHalfOpen: false }, onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('throttle proxy: no TCP address');
  const port = address.port;

  const proxy: ThrottleProxy = {
    host: `127.0.0.1:${port}`,
    port,
    setRate(bytesPerSec) {
      const next = checkRate(bytesPerSec);
      refill();
      rate = next;
      tokens = Math.min(tokens, burst());
      schedule();
    },
    freeze() {
      refill();
      frozen = true;
      tokens = 0;
      clearTimeout(timer);
      timer = undefined;
      for (const l of links) {
        l.client.pause();
        l.upstream.pause();
      }
    },
    unfreeze() {
      if (!frozen) return;
      frozen = false;
      lastRefill = performance.now();
      for (const l of links) {
        l.client.resume();
        if (l.queued < HIGH_WATER) l.upstream.resume();
      }
      schedule();
    },
    cut() {
      isCut = true;
      clearTimeout(timer);
      timer = undefined;
      for (const l of links) {
        l.client.resetAndDestroy();
        l.upstream.destroy();
      }
      links.clear();
    },
    restore() {
      isCut = false;
    },
    bytesToClient: () => forwarded,
    openConnections: () => links.size,
    async close() {
      proxy.cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
