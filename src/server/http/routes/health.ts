import type { FastifyInstance } from 'fastify';

/** `readyDetail`: a line added to /readyz's body (e.g. the shared report log's state); none by default. */
export function registerHealthRoutes(app: FastifyInstance, isReady: () => boolean, readyDetail?: () => string): void {
  app.get('/healthz', async (_req, reply) => reply.type('text/plain; charset=utf-8').send('ok'));
  app.get('/readyz', async (_req, reply) => {
    const detail = readyDetail ? `\n${readyDetail()}` : '';
    if (isReady()) return reply.type('text/plain; charset=utf-8').send(`ok${detail}`);
    return reply.code(503).type('text/plain; charset=utf-8').send(`not ready${detail}`);
  });
}
