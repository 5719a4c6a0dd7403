// Serves the built web UI (dist/web) at /. Without a build, / says how to make one.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const WEB_ROOT = fileURLToPath(new URL('../../../dist/web/', import.meta.url));

export async function registerStaticUi(app: FastifyInstance, root = WEB_ROOT): Promise<void> {
  if (!existsSync(`${root}index.html`)) {
    app.get('/', async (_req, reply) =>
      reply
        .type('text/plain; charset=utf-8')
        .send('Pulltrace server is running. The web UI is not built: run `npm run build`.\nAPI: /api/v1/pulls\n'),
    );
    return;
  }
  await app.register(fastifyStatic, { root, prefix: '/', index: 'index.html', wildcard: false, cacheControl: true, maxAge: 0 });
}
