// Agent identity's health: whether the server is running on its last TokenReview answers because
// the API server cannot check tokens right now (PULLTRACE_AGENT_AUTH=kubernetes). Always
// registered (0 in the other modes), so a dashboard or alert need not know the mode.
import { Gauge, type Registry } from 'prom-client';

export const AGENT_AUTH_METRIC_NAMES = ['pulltrace_agent_auth_degraded'] as const;

export interface AgentAuthSource {
  degraded?: () => boolean;
}

export function registerAgentAuthMetrics(registry: Registry, auth: AgentAuthSource): void {
  new Gauge({
    name: 'pulltrace_agent_auth_degraded',
    help: "1 while TokenReview cannot answer: agents are accepted on their token's last positive review, unknown tokens are refused, node timeouts wait; else 0.",
    registers: [registry],
    collect() {
      this.set(auth.degraded?.() ? 1 : 0);
    },
  });
}
