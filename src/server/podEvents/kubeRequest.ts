// JSON requests to the Kubernetes API with the kubeconfig's credentials (@kubernetes/client-node
// supplies them, per request: exec plugins and rotated tokens stay valid). The status, body and
// Retry-After come back as they are, so the caller can tell 404, 409 and 429 apart.
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { parseRetryAfter } from './rateBudget.js';

export interface KubeAnswer {
  /** 0: no answer (connection refused, timeout) */
  status: number;
  body: Record<string, unknown>;
  retryAfterSeconds?: number;
}

export type KubeRequest = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, body?: unknown) => Promise<KubeAnswer>;

export function kubeRequester(kc: KubeConfig, timeoutMs = 10_000): KubeRequest {
  const server = (kc.getCurrentCluster()?.server ?? '').replace(/\/+$/, '');
  return async (method, path, body) => {
    const options: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(options);
    const url = new URL(server + path);
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { ...(options.headers as Record<string, string>), Accept: 'application/json' };
    if (text !== undefined) {
      headers['Content-Type'] = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(text));
    }
    const request = url.protocol === 'https:' ? https.request : http.request;
    return new Promise<KubeAnswer>((resolve) => {
      const req = request(url, { ...options, method, headers, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => resolve({ status: 0, body: { message: err.message } }));
        res.on('end', () => {
          let parsed: Record<string, unknown> = {};
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          } catch {
            parsed = { message: Buffer.concat(chunks).toString('utf8').slice(0, 200) };
          }
          const retryAfterSeconds = parseRetryAfter(res.headers['retry-after']);
          resolve({ status: res.statusCode ?? 0, body: parsed, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (err) => resolve({ status: 0, body: { message: err.message } }));
      req.end(text);
    });
  };
}
