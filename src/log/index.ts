import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout; `component` tells server, agent and kubernetes lines apart. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['token', 'agentToken', 'headers.authorization', 'req.headers.authorization'], censor: '[redacted]' },
    },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
