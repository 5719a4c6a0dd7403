// How a watch reaches the server: plain HTTP(S) to its URL, or (kubectl-pulltrace) HTTPS to the
// Kubernetes API server's service proxy with the kubeconfig's credentials. Node's http/https
// modules, so the kubeconfig's CA, client certificate and headers apply as they are.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { redactSecrets } from '../common/index.js';

export interface TransportResponse {
  status: number;
  body: IncomingMessage;
  text(): Promise<string>;
}

export interface Transport {
  /** where the requests go, for messages (never with the URL's credentials) */
  readonly describe: string;
  get(path: string, headers?: Record<string, string>, signal?: AbortSignal): Promise<TransportResponse>;
}

/**
 * GETs `<base><path>`; `options` carries TLS material and headers (e.g. from a kubeconfig). A
 * function is asked again for every request, so short-lived credentials (exec plugins, rotated
 * tokens) are fresh on each reconnect.
 */
export function httpTransport(
  base: string,
  options: https.RequestOptions | (() => Promise<https.RequestOptions>) = {},
  describe = redactSecrets(base),
): Transport {
  const root = base.replace(/\/+$/, '');
  return {
    describe,
    async get(path, headers = {}, signal) {
      const url = new URL(root + path);
      const request = url.protocol === 'https:' ? https.request : http.request;
      const opts = typeof options === 'function' ? await options() : options;
      return new Promise((resolve, reject) => {
        const req = request(
          url,
          { ...opts, method: 'GET', headers: { ...(opts.headers as Record<string, string> | undefined), ...headers }, signal },
          (res) => {
            resolve({
              status: res.statusCode ?? 0,
              body: res,
              text: async () => {
                let out = '';
                res.setEncoding('utf8');
                for await (const chunk of res) {
                  out += chunk;
                  if (out.length > 1_000_000) break;
                }
                return out;
              },
            });
          },
        );
        req.on('error', reject);
        req.end();
      });
    },
  };
}

/** GETs JSON; a non-2xx answer is an HttpError carrying the server's message. */
export async function getJson<T>(transport: Transport, path: string, signal?: AbortSignal): Promise<T> {
  const res = await transport.get(path, { accept: 'application/json' }, signal);
  const text = await res.text();
  if (res.status < 200 || res.status > 299) throw new HttpError(res.status, path, text);
  return JSON.parse(text) as T;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly path: string,
    readonly body: string,
  ) {
    super(`GET ${path}: HTTP ${status}${serverMessage(body) ? `: ${serverMessage(body)}` : ''}`);
  }
}

/** The `message` of a JSON error body (Pulltrace's or a Kubernetes Status), else a short excerpt. */
export function serverMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message.slice(0, 500);
  } catch {
    // not JSON
  }
  return body.trim().slice(0, 200);
}
