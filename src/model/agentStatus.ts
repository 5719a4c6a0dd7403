// The agents the server hears from (GET /api/v1/agents): which nodes report at all, which went
// silent, and what they run. A monitoring view with no agent must say so, not look idle.
import { type Static, Type } from '@sinclair/typebox';

export const AGENT_STATES = ['reporting', 'silent'] as const;

export const AgentStatusSchema = Type.Object(
  {
    nodeName: Type.String(),
    cluster: Type.String(),
    /** RFC 3339 time of the node's last accepted report */
    lastReportAt: Type.String({ format: 'date-time' }),
    /** `reporting`: heard within three of its own report intervals; `silent`: not (or timed out) */
    state: Type.Union(AGENT_STATES.map((s) => Type.Literal(s))),
    agentVersion: Type.Optional(Type.String()),
    runtime: Type.Optional(Type.String()),
    runtimeVersion: Type.Optional(Type.String()),
  },
  { $id: 'AgentStatus', title: 'AgentStatus', description: 'One node agent as the server last heard it.' },
);
export type AgentStatus = Static<typeof AgentStatusSchema>;

export const AgentListSchema = Type.Object(
  { agents: Type.Array(AgentStatusSchema) },
  { $id: 'AgentList', title: 'AgentList', description: 'Every agent the server has heard from, by cluster and node name.' },
);
export type AgentList = Static<typeof AgentListSchema>;
