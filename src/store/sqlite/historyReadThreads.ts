// Worker threads that answer the SQLite history's page queries (historyReadWorker.ts), so the event
// loop that takes reports and answers /healthz never runs a query. Threads start on the first query
// and a thread that dies is replaced on the next one (its queries fail, the others are unaffected).
import { Worker } from 'node:worker_threads';
import type { HistoryCursor } from '../cursor.js';
import type { HistoryFilter } from '../historyFilter.js';
import type { HistoryPage } from '../historyPage.js';
import type { HistoryReadReply, HistoryReadRequest } from './historyReadMessages.js';

/** Two: one long scan does not hold up every other reader, and two cores stay enough for ingest. */
export const HISTORY_READ_THREADS = 2;

/** A history query that failed in its worker thread (the database, not the request). */
export class HistoryReadError extends Error {
  override name = 'HistoryReadError';
}

interface Waiting {
  resolve: (reply: HistoryReadReply) => void;
  reject: (err: Error) => void;
}

interface ReadThread {
  worker: Worker;
  waiting: Map<number, Waiting>;
}

/**
 * Built, this module is dist/store/historyReadThreads.js beside the worker's .js. Run from source
 * (tests, benchmarks) both are .ts, and on Node 20 a worker thread does not inherit tsx's loader:
 * the worker then loads its file through tsx's API.
 */
function startWorker(workerData: { path: string }): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./historyReadWorker.js', import.meta.url), { workerData });
  const source = JSON.stringify(new URL('./historyReadWorker.ts', import.meta.url).href);
  return new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${source}, ${source}))`, { eval: true, workerData });
}

export class HistoryReadThreads {
  private readonly threads: ReadThread[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly size = HISTORY_READ_THREADS,
  ) {}

  /** The page, read on a worker thread; the request must already be checked (checkHistoryQuery). */
  async page(filter: HistoryFilter, limit: number, after: HistoryCursor | undefined, withLayers: boolean): Promise<HistoryPage> {
    return (await this.ask({ filter, limit, after, withLayers, json: false })).page as HistoryPage;
  }

  /** The page as `JSON.stringify(page)` in UTF-8, serialised on the worker thread. */
  async pageJson(filter: HistoryFilter, limit: number, after: HistoryCursor | undefined, withLayers: boolean): Promise<Uint8Array> {
    return (await this.ask({ filter, limit, after, withLayers, json: true })).json as Uint8Array;
  }

  private ask(question: Omit<HistoryReadRequest, 'id'>): Promise<HistoryReadReply> {
    if (this.closed) return Promise.reject(new HistoryReadError('history store is closed'));
    const thread = this.leastBusy();
    const request: HistoryReadRequest = { id: this.nextId++, ...question };
    return new Promise((resolve, reject) => {
      thread.waiting.set(request.id, { resolve, reject });
      // Held while a query waits (a caller awaiting it must not see the process exit), not when idle.
      thread.worker.ref();
      thread.worker.postMessage(request);
    });
  }

  /** Ends every thread; queries still waiting fail. */
  async close(): Promise<void> {
    this.closed = true;
    const ending = this.threads.splice(0).map((t) => {
      this.failAll(t, new HistoryReadError('history store closed during the query'));
      return t.worker.terminate();
    });
    await Promise.all(ending);
  }

  private leastBusy(): ReadThread {
    if (this.threads.length < this.size) {
      const idle = this.threads.find((t) => t.waiting.size === 0);
      return idle ?? this.start();
    }
    let best = this.threads[0] as ReadThread;
    for (const t of this.threads) if (t.waiting.size < best.waiting.size) best = t;
    return best;
  }

  private start(): ReadThread {
    const worker = startWorker({ path: this.path });
    const thread: ReadThread = { worker, waiting: new Map() };
    worker.on('message', (reply: HistoryReadReply) => {
      const waiting = thread.waiting.get(reply.id);
      if (!waiting) return;
      thread.waiting.delete(reply.id);
      if (thread.waiting.size === 0) worker.unref();
      if (reply.error !== undefined) waiting.reject(new HistoryReadError(reply.error));
      else waiting.resolve(reply);
    });
    const gone = (why: string) => {
      const at = this.threads.indexOf(thread);
      if (at >= 0) this.threads.splice(at, 1);
      this.failAll(thread, new HistoryReadError(`history read thread ended: ${why}`));
    };
    worker.on('error', (err) => gone(err.message));
    worker.on('exit', (code) => gone(`exit code ${code}`));
    this.threads.push(thread);
    return thread;
  }

  private failAll(thread: ReadThread, err: Error): void {
    for (const w of thread.waiting.values()) w.reject(err);
    thread.waiting.clear();
  }
}
