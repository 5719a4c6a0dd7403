import type { AgentSettings } from '../cli/settings.js';
import type { Logger } from '../log/index.js';

export interface RunningAgent {
  close(): Promise<void>;
}

export interface AgentOptions {
  /** true when running inside `pulltrace standalone` (a missing socket is then not fatal) */
  standalone: boolean;
}

// Placeholder until the containerd agent lands: standalone serves the API only.
export async function startAgent(settings: AgentSettings, logger: Logger, options: AgentOptions): Promise<RunningAgent> {
  if (!options.standalone) throw new Error('pulltrace agent: the containerd agent is not built yet');
  logger.warn(
    { socket: settings.containerdSocket },
    'containerd agent not available in this build; serving the API only (remote agents can still report)',
  );
  return { close: async () => {} };
}
