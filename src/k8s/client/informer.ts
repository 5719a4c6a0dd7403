// A list+watch informer (the client library's ListWatch, as makeInformer builds it, plus a field
// selector) that keeps running. In @kubernetes/client-node 1.4.0 the informer relists by itself
// after 410 Gone and re-watches after a cleanly closed stream, but any other failure (connection
// refused or reset, 5xx, 403, a failed list) only emits 'error' and stops: we restart it with
// exponential backoff. A stream that keeps closing at once is slowed down too.
import { type KubeConfig, type KubernetesListObject, type KubernetesObject, ListWatch, Watch } from '@kubernetes/client-node';
import type { Logger } from '../../log/index.js';

export interface InformerHandlers<T> {
  /** `backlog`: the object came with the first successful list (it existed before we watched) */
  add(obj: T, backlog: boolean): void;
  update(obj: T): void;
  delete(obj: T): void;
}

export interface InformerOptions<T extends KubernetesObject> {
  kc: KubeConfig;
  /** API path, e.g. /api/v1/pods or /api/v1/namespaces/shop/events */
  path: string;
  /**
   * one page of the list: called again with the page's `metadata.continue` until there is none,
   * so a cluster's 150,000 pods never sit in memory as one response
   */
  list: (continueToken?: string) => Promise<KubernetesListObject<T>>;
  /** what is kept of each listed or watched object (the informer caches every one it sees) */
  transform?: (obj: T) => T;
  fieldSelector?: string;
  logger: Logger;
  handlers: InformerHandlers<T>;
  backoff?: { initialMs: number; maxMs: number };
  /** a list that has not answered by then counts as failed (the client sets no timeout) */
  listTimeoutMs?: number;
}

export interface RunningInformer {
  /** resolves after the first list+watch attempt (successful or not) */
  started: Promise<void>;
  stop(): Promise<void>;
}

type WatchDone = (err: unknown) => void;
type WatchCallback = (phase: string, apiObj: unknown, watchObj?: unknown) => void;

const QUICK_CLOSE_MS = 1000;

export function startInformer<T extends KubernetesObject>(options: InformerOptions<T>): RunningInformer {
  const { initialMs, maxMs } = options.backoff ?? { initialMs: 1000, maxMs: 30_000 };
  const log = options.logger;
  const listTimeoutMs = options.listTimeoutMs ?? 60_000;
  let stopped = false;
  let failures = 0;
  let quickCloses = 0;
  let listedOnce = false;
  let inFirstList = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let lastErrorText = '';
  const sleeping = new Set<() => void>();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        sleeping.delete(done);
        resolve();
      }
      sleeping.add(done);
    });

  const recovered = () => {
    failures = 0;
    if (lastErrorText) log.info({ path: options.path }, `kubernetes: watching ${options.path} again`);
    lastErrorText = '';
  };

  const transform = options.transform ?? ((obj: T) => obj);
  const list = async (): Promise<KubernetesListObject<T>> => {
    const items: T[] = [];
    let page: KubernetesListObject<T>;
    let continueToken: string | undefined;
    do {
      page = await withTimeout(options.list(continueToken), listTimeoutMs, `list ${options.path}`);
      for (const item of page.items) items.push(transform(item));
      continueToken = page.metadata?._continue || undefined;
    } while (continueToken);
    recovered();
    if (!listedOnce) inFirstList = true;
    return { ...page, items };
  };

  // Stands in for the library's Watch: same call, plus the first-list marker and close backoff.
  const inner = new Watch(options.kc);
  const watch = {
    async watch(
      path: string,
      params: Record<string, string | number | boolean | undefined>,
      callback: WatchCallback,
      done: WatchDone,
    ): Promise<AbortController> {
      // the list (if any) has been applied by now: later adds are live
      if (inFirstList) listedOnce = true;
      inFirstList = false;
      const pause = quickClosePauseMs(quickCloses, maxMs);
      if (pause > 0) await sleep(pause);
      if (stopped) return new AbortController();
      const startedAt = Date.now();
      let delivered = false;
      return inner.watch(
        path,
        params,
        (phase, obj, watchObj) => {
          if (!delivered) {
            delivered = true;
            recovered();
          }
          // ERROR and BOOKMARK objects are no T: only object events are transformed
          const isObject = phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED';
          callback(phase, isObject ? transform(obj as T) : obj, watchObj);
        },
        (err) => {
          if (!err) quickCloses = !delivered && Date.now() - startedAt < QUICK_CLOSE_MS ? quickCloses + 1 : 0;
          done(err);
        },
      );
    },
  };

  const informer = new ListWatch<T>(options.path, watch as unknown as Watch, list, false, undefined, options.fieldSelector);
  informer.on('add', (obj) => options.handlers.add(obj, inFirstList));
  informer.on('update', (obj) => options.handlers.update(obj));
  informer.on('delete', (obj) => options.handlers.delete(obj));
  informer.on('error', (err) => {
    if (stopped) return; // our own abort on stop
    failures += 1;
    inFirstList = false;
    const delay = retryDelayMs(failures, initialMs, maxMs);
    const text = describeError(err);
    // one warning per distinct problem; repeats of the same failure go to debug
    if (text !== lastErrorText)
      log.warn({ path: options.path, retryInMs: delay, error: text }, `kubernetes: watching ${options.path} failed; retrying`);
    else log.debug({ path: options.path, retryInMs: delay, error: text }, 'kubernetes: retrying watch');
    lastErrorText = text;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      if (stopped) return;
      informer.start().catch((e: unknown) => log.warn({ path: options.path, error: describeError(e) }, 'kubernetes: restart failed'));
    }, delay);
    retryTimer.unref();
  });

  const started = informer.start().catch((err: unknown) => {
    log.warn({ path: options.path, error: describeError(err) }, 'kubernetes: informer did not start');
  });
  return {
    started,
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      for (const wake of [...sleeping]) wake();
      await informer.stop();
    },
  };
}

/** Delay before retry number `failures` (1-based): initial, doubled each time, capped. */
export function retryDelayMs(failures: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, failures - 1));
}

/**
 * Pause before re-watching after `quickCloses` streams in a row ended at once with nothing in
 * them: the first re-watch is immediate (an API server watch timeout), then 250 ms doubling.
 */
export function quickClosePauseMs(quickCloses: number, maxMs: number): number {
  return quickCloses <= 1 ? 0 : Math.min(maxMs, 250 * 2 ** (quickCloses - 2));
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A short text for the client's various error objects, with a hint for RBAC problems. */
export function describeError(err: unknown): string {
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown; body?: unknown } | undefined;
  const code = Number(e?.code ?? e?.statusCode);
  const message = typeof e?.message === 'string' && e.message ? e.message : String(err);
  // ApiException messages carry the whole body and headers; the Status inside says it best
  let text = statusMessage(e?.body) ?? (message.split('\n')[0] as string);
  if (Number.isInteger(code) && code >= 400 && !text.startsWith(String(code))) text = `${code}: ${text}`;
  if (code === 401) text = `${text} (the credentials were refused)`;
  if (code === 403) text = `${text} (needs get/list/watch on pods and events, see docs/kubernetes.md)`;
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

function statusMessage(body: unknown): string | undefined {
  let value = body;
  for (let i = 0; i < 2 && typeof value === 'string'; i++) {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  const status = value as { kind?: unknown; message?: unknown } | undefined;
  return status?.kind === 'Status' && typeof status.message === 'string' ? status.message : undefined;
}
