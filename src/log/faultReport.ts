// What the server does with an exception nothing else caught, in a timer, a flush or an event
// listener: say it once per place (with the error), count the rest quietly, and carry on. A
// malformed pull must cost one log line, never the process or a flood of lines.
import type { Logger } from 'pino';

export type FaultReporter = (where: string, err: unknown) => void;

/** Logs the first fault of each place at error level, later ones at debug with how many so far. */
export function faultReporter(logger: Logger): FaultReporter {
  const counts = new Map<string, number>();
  return (where, err) => {
    const n = (counts.get(where) ?? 0) + 1;
    counts.set(where, n);
    const detail = { where, err: err instanceof Error ? err.message : String(err), faults: n };
    if (n === 1) logger.error(detail, 'failed and skipped; the server carries on (later failures here are logged at debug level)');
    else logger.debug(detail, 'failed and skipped again');
  };
}

/** Runs `work`; an exception goes to `report` instead of up the stack (a timer would end the process). */
export function guarded(where: string, report: FaultReporter, work: () => void): void {
  try {
    work();
  } catch (err) {
    report(where, err);
  }
}
