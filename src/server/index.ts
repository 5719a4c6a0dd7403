import type { ServerSettings } from '../cli/settings.js';
import type { Logger } from '../log/index.js';

export interface RunningServer {
  httpPort: number;
  metricsPort: number;
  /** URL an in-process agent uses to reach this server */
  loopbackUrl: string;
  close(): Promise<void>;
}

export async function startServer(_settings: ServerSettings, _logger: Logger): Promise<RunningServer> {
  throw new Error('server not built yet');
}
