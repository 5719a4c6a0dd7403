import pino, { type Logger } from 'pino';
import { prettyDestination } from './prettyDestination.js';

export { type FaultReporter, faultReporter, guarded } from './faultReport.js';

export type { Logger };

export type LogFormat = 'auto' | 'json' | 'text';

/** `auto` is text for a person at a terminal, JSON for everything else (pipes, log collectors). */
export function resolveLogFormat(format: LogFormat, stdoutIsTty: boolean): 'json' | 'text' {
  return format === 'auto' ? (stdoutIsTty ? 'text' : 'json') : format;
}

/**
 * JSON lines on stdout (`component` tells server, agent and kubernetes lines apart), or with
 * format `text` the same records pretty-printed for a person; the records themselves are the same.
 */
export function createLogger(level: string, destination?: pino.DestinationStream, format: 'json' | 'text' = 'json'): Logger {
  const out =
    destination ??
    (format === 'text' ? prettyDestination(colorsWanted(process.env, Boolean(process.stdout.isTTY))) : undefined) ??
    pino.destination({ fd: 1, sync: false });
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['token', 'agentToken', 'headers.authorization', 'req.headers.authorization'], censor: '[redacted]' },
    },
    out,
  );
}

function colorsWanted(env: NodeJS.ProcessEnv, isTty: boolean): boolean {
  if (env.NO_COLOR) return false;
  return isTty && env.TERM !== 'dumb';
}
