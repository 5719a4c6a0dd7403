// Log lines for a person (--log-format text, or auto on a TTY): pino-pretty, Pino's own pretty
// printer, on one line each: time, level, [component], message, and for pull events the pull's
// status and figures instead of the whole PullEvent. Loaded only when asked for, so a daemon
// writing JSON never loads it.
import { createRequire } from 'node:module';
import type pino from 'pino';

type PrettyFactory = (options: Record<string, unknown>) => pino.DestinationStream;

export function prettyDestination(colorize: boolean): pino.DestinationStream {
  const require = createRequire(import.meta.url);
  const pretty = require('pino-pretty') as PrettyFactory | { default: PrettyFactory };
  const build = typeof pretty === 'function' ? pretty : pretty.default;
  return build({
    colorize,
    translateTime: 'SYS:HH:MM:ss.l',
    singleLine: true,
    // The PullEvent fields are summed up in the message (below); the rest follows on the line.
    ignore: 'pid,hostname,component,schemaVersion,timestamp,type,nodeName,pull,layer',
    messageFormat: (log: Record<string, unknown>, messageKey: string) => humanMessage(log, messageKey),
    sync: true,
  });
}

/** "[server] pull.failed nginx:1.27 on worker-1 · 40.0% · error: …" */
export function humanMessage(log: Record<string, unknown>, messageKey = 'msg'): string {
  const parts: string[] = [];
  if (typeof log.component === 'string') parts.push(`[${log.component}]`);
  parts.push(String(log[messageKey] ?? ''));
  const pull = log.pull as
    | { status?: unknown; percent?: unknown; bytesPerSec?: unknown; error?: unknown; failureReason?: unknown }
    | undefined;
  if (pull && typeof pull === 'object') {
    const figures: string[] = [];
    if (typeof pull.status === 'string') figures.push(pull.status);
    if (typeof pull.percent === 'number') figures.push(`${pull.percent.toFixed(1)}%`);
    if (typeof pull.error === 'string')
      figures.push(`error: ${pull.error}${typeof pull.failureReason === 'string' ? ` (${pull.failureReason})` : ''}`);
    if (figures.length > 0) parts.push(`· ${figures.join(' · ')}`);
  }
  return parts.join(' ');
}
