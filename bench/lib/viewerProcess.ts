// SSE viewers for the ingest benchmark, in their own process (forked by bench/ingest.ts) so
// their CPU counts neither as the server's nor as the load generator's. The parent says when the
// measured window starts and ends; coverage windows are 2 s.
import { get, type IncomingMessage } from 'node:http';
import { SseViewer, type ViewerFigures } from './sseViewer.js';

export interface ViewerConfig {
  port: number;
  /** viewers with `layers=0` */
  plain: number;
  /** viewers with layers */
  layers: number;
}

export type ViewerMessage =
  | { type: 'ready' }
  | { type: 'result'; viewers: ViewerFigures[]; windowSeconds: number; failedToConnect: number };
export type ViewerCommand = { type: 'start' } | { type: 'stop' };

const COVERAGE_WINDOW_MS = 2000;

async function open(port: number, layers: boolean, viewer: SseViewer): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: `/api/v1/events${layers ? '' : '?layers=0'}` }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`HTTP ${res.statusCode}`));
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (c: string) => viewer.feed(c));
      res.on('close', () => viewer.onDisconnect());
      resolve(res);
    });
    req.on('error', reject);
  });
}

async function activePullIds(port: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/api/v1/pulls?layers=0' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => {
        const pulls = (JSON.parse(body) as { pulls: Array<{ id: string; status: string; startedAt: string }> }).pulls;
        resolve(pulls.filter((p) => p.status === 'pulling' || p.status === 'stalled').map((p) => p.id));
      });
    }).on('error', reject);
  });
}

async function run(config: ViewerConfig, send: (m: ViewerMessage) => void): Promise<void> {
  const viewers = [
    ...Array.from({ length: config.plain }, () => new SseViewer(false)),
    ...Array.from({ length: config.layers }, () => new SseViewer(true)),
  ];
  let failedToConnect = 0;
  const responses: IncomingMessage[] = [];
  for (const v of viewers) {
    try {
      responses.push(await open(config.port, v.figures.layers, v));
    } catch {
      failedToConnect++;
    }
  }
  send({ type: 'ready' });
  let windows: NodeJS.Timeout | undefined;
  let startedAt = 0;
  process.on('message', (m: ViewerCommand) => {
    if (m.type === 'start') {
      startedAt = performance.now();
      for (const v of viewers) v.startMeasuring();
      windows = setInterval(() => {
        for (const v of viewers) v.closeWindow();
      }, COVERAGE_WINDOW_MS);
    } else if (m.type === 'stop') {
      clearInterval(windows);
      const windowSeconds = (performance.now() - startedAt) / 1000;
      for (const v of viewers) v.stopMeasuring();
      activePullIds(config.port)
        .catch(() => [] as string[])
        // Pulls in the list may still be on their way to the viewers: wait a few flushes.
        .then((ids) => new Promise<string[]>((r) => setTimeout(() => r(ids), 1500)))
        .then((ids) => {
          for (const v of viewers) v.checkAgainst(ids, v.seenEver);
          for (const r of responses) r.destroy();
          send({ type: 'result', viewers: viewers.map((v) => v.figures), windowSeconds, failedToConnect });
          process.disconnect?.();
        });
    }
  });
}

if (process.send && process.argv[2]) {
  const config = JSON.parse(process.argv[2]) as ViewerConfig;
  run(config, (m) => process.send?.(m)).catch((err: unknown) => {
    console.error('viewer process failed:', err);
    process.exit(1);
  });
}
