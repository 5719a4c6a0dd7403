import { useEffect, useState } from 'react';
import { fetchAgents } from '../api/client.js';
import type { AgentCount } from '../state/emptyState.js';

/**
 * How many agents report, refreshed every `intervalMs` (agents are not on the event stream).
 * Undefined until the first answer, and again after a failed fetch: unknown is not zero.
 */
export function useAgents(intervalMs = 5000): AgentCount | undefined {
  const [count, setCount] = useState<AgentCount | undefined>(undefined);
  useEffect(() => {
    let alive = true;
    let controller: AbortController | undefined;
    const load = () => {
      controller?.abort();
      controller = new AbortController();
      fetchAgents(controller.signal).then(
        (agents) => {
          if (alive) setCount({ reporting: agents.filter((a) => a.state === 'reporting').length, total: agents.length });
        },
        () => {
          if (alive && !controller?.signal.aborted) setCount(undefined);
        },
      );
    };
    load();
    const timer = setInterval(load, intervalMs);
    return () => {
      alive = false;
      clearInterval(timer);
      controller?.abort();
    };
  }, [intervalMs]);
  return count;
}
