// Log lines for a person (--log-format text, or auto on a TTY): pino-pretty, Pino's own pretty
// printer, on one line each: time, level, [component], message, and for pull events the pull's
// status and figures instead of the whole PullEvent. Loaded only when asked for, so a daemon
// writing JSON never loads it. Each record is made printable before it is formatted: names and
// errors from the cluster may hold control characters, which must not reach the terminal.
import { createRequire } from 'node:module';
import pino from 'pino';
import { printableRecord } from './printableRecord.js';

type Prettify = (record: Record<string, unknown>) => string;
interface PrettyModule {
  prettyFactory(options: Record<string, unknown>): Prettify;
}

export function prettyDestination(
  colorize: boolean,
  out: { write(text: string): unknown } = pino.destination({ fd: 1, sync: true }),
): pino.DestinationStream {
  const require = createRequire(import.meta.url);
  const pretty = require('pino-pretty') as PrettyModule;
  const prettify = pretty.prettyFactory({
    colorize,
    translateTime: 'SYS:HH:MM:ss.l',
    singleLine: true,
    // The PullEvent fields are summed up in the message (below); the rest follows on the line.
    ignore: 'pid,hostname,component,schemaVersion,timestamp,type,nodeName,pull,layer',
    messageFormat: (log: Record<string, unknown>, messageKey: string) => humanMessage(log, messageKey),
  });
  return {
    write(line: string) {
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        out.write(`${printableRecord(line.trimEnd())}\n`);
        return;
      }
      out.write(prettify(printableRecord(record) as Record<string, unknown>));
    },
  };
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
