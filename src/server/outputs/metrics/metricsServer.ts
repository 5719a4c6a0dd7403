// /metrics on its own port (PULLTRACE_METRICS_ADDR), so scraping never competes with the API.
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export function createMetricsServer(registry: Registry): Server {
  return createServer((req, res) => {
    if (req.url !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found","message":"metrics are at GET /metrics"}');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () =>
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal_error","message":"metrics collection failed"}'),
    );
  });
}
