// Agent reports for tests that drive a real server: builders (one layer, one pull, a synthetic
// pull filled to a byte count, a whole report) and posting them as an agent does.
import type { AgentReport, ReportLayer, ReportPull } from '../../src/model/index.js';
import { GZIP_LAYER, MiB, reportLayer } from '../../src/server/tracker/trackerFixture.js';

export { GZIP_LAYER, MiB };
export const MB = 1_000_000;

/** One layer as an agent reports it (gzip, size known). */
export const layer = reportLayer;

export function pullEntry(imageRef: string, manifestDigest: string, layers: ReportLayer[], extra: Partial<ReportPull> = {}): ReportPull {
  return { imageRef, manifestDigest, status: 'pulling', totalKnown: true, startedAt: new Date().toISOString(), layers, ...extra };
}

/** A layer digest that is unique per (seed, index) and looks real. */
export function digest(seed: string, index: number): string {
  let hex = '';
  let h = 2166136261;
  for (const ch of `${seed}#${index}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  while (hex.length < 64) {
    h = Math.imul(h ^ (h >>> 13), 2654435761) >>> 0;
    hex += h.toString(16).padStart(8, '0');
  }
  return `sha256:${hex.slice(0, 64)}`;
}

export interface SyntheticLayer {
  size: number;
  mediaType?: string;
  cached?: boolean;
}

/**
 * One pull as an agent reports it after `downloaded` bytes: layers fill in order, each layer
 * waiting → downloading → done; cached layers are on the node from the start.
 */
export function syntheticPull(options: {
  imageRef: string;
  startedAt: string;
  layers: SyntheticLayer[];
  downloaded: number;
  status?: ReportPull['status'];
  error?: string;
}): ReportPull {
  let left = options.downloaded;
  const layers: ReportLayer[] = options.layers.map((layer, i) => {
    const base = {
      digest: digest(options.imageRef, i),
      mediaType: layer.mediaType ?? 'application/vnd.oci.image.layer.v1.tar+gzip',
      totalBytes: layer.size,
      totalKnown: true,
    };
    if (layer.cached) return { ...base, downloadedBytes: layer.size, state: 'cached' };
    const got = Math.min(left, layer.size);
    left -= got;
    const state = got === layer.size ? 'done' : got > 0 ? 'downloading' : 'waiting';
    return { ...base, downloadedBytes: got, state };
  });
  return {
    imageRef: options.imageRef,
    startedAt: options.startedAt,
    totalKnown: true,
    manifestDigest: digest(`${options.imageRef}/manifest`, 0),
    status: options.status ?? 'pulling',
    ...(options.error ? { error: options.error } : {}),
    layers,
  };
}

export function report(nodeName: string, pulls: ReportPull[]): AgentReport {
  return {
    nodeName,
    timestamp: new Date().toISOString(),
    agent: { version: 'ui-test', runtime: 'containerd', runtimeVersion: '1.6' },
    pulls,
  };
}

/** POSTs a report (or any body, a string as it is) and returns the answer, whatever it is. */
export async function postReport(baseUrl: string, report: AgentReport | unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${baseUrl}/api/v1/report`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof report === 'string' ? report : JSON.stringify(report),
  });
}

/** POSTs a report; a rejected report fails the test with the server's message. */
export async function postReportOk(baseUrl: string, body: AgentReport): Promise<void> {
  const response = await postReport(baseUrl, body);
  if (!response.ok) throw new Error(`report for ${body.nodeName} rejected: ${response.status} ${await response.text()}`);
}

export async function getJson<T = unknown>(url: string): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}

/**
 * Posts `snapshot()` for a node every `intervalMs`, as an agent does, until stopped. A failed
 * post is kept and rethrown by stop(), so a rejected report fails the test.
 */
export function reportEvery(baseUrl: string, nodeName: string, snapshot: () => ReportPull[], intervalMs = 500): { stop(): Promise<void> } {
  let failure: unknown;
  let inFlight: Promise<void> = Promise.resolve();
  const tick = () => {
    inFlight = postReportOk(baseUrl, report(nodeName, snapshot())).catch((err: unknown) => {
      failure ??= err;
    });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
      if (failure) throw failure;
    },
  };
}
