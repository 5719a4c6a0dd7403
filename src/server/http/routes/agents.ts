// GET /api/v1/agents: which nodes report at all. Without it "no agent" and "an idle cluster" look alike.
import type { FastifyInstance } from 'fastify';
import type { AgentList } from '../../../model/index.js';
import type { PullTracker } from '../../tracker/pullTracker.js';
import { rejectUnknown } from '../queryParams.js';

type Query = Record<string, string | string[] | undefined>;

export function registerAgentsRoute(app: FastifyInstance, tracker: PullTracker, now: () => number): void {
  app.get<{ Querystring: Query }>('/api/v1/agents', async (req): Promise<AgentList> => {
    rejectUnknown(req.query, []);
    return { agents: tracker.agents(now()) };
  });
}
