// Posts AgentReports the way an agent does, for tests that drive a real server.
import type { AgentReport, ReportLayer, ReportPull } from '../../src/model/index.js';

export const GZIP_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const MiB = 1048576;

export async function postReport(baseUrl: string, report: AgentReport | unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${baseUrl}/api/v1/report`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof report === 'string' ? report : JSON.stringify(report),
  });
}

export function layer(digest: string, totalBytes: number, downloadedBytes: number, state?: ReportLayer['state']): ReportLayer {
  return { digest, mediaType: GZIP_LAYER, totalBytes, downloadedBytes, totalKnown: true, ...(state ? { state } : {}) };
}

export function pullEntry(imageRef: string, manifestDigest: string, layers: ReportLayer[], extra: Partial<ReportPull> = {}): ReportPull {
  return { imageRef, manifestDigest, status: 'pulling', totalKnown: true, startedAt: new Date().toISOString(), layers, ...extra };
}

export async function getJson<T = unknown>(url: string): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}
