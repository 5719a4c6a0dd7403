import type { FastifyInstance } from 'fastify';

export function registerHealthRoutes(app: FastifyInstance, isReady: () => boolean): void {
  app.get('/healthz', async (_req, reply) => reply.type('text/plain; charset=utf-8').send('ok'));
  app.get('/readyz', async (_req, reply) => {
    if (isReady()) return reply.type('text/plain; charset=utf-8').send('ok');
    return reply.code(503).type('text/plain; charset=utf-8').send('not ready');
  });
}
