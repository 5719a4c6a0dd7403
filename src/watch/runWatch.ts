// `pulltrace watch`: seeds the pull table from /api/v1/pulls, then follows /api/v1/events, and
// shows it either on the live screen (a TTY, --output auto) or as one line per change. With
// --until-done it ends once every pull it counts (untilDone.ts) has finished: 0 if all completed,
// 1 if any failed; 3 when --timeout passes first. Bad flags exit 2.

import { readFileSync } from 'node:fs';
import type https from 'node:https';
import { formatDuration, printable, redactSecrets } from '../common/index.js';
import type { LayerStatus } from '../model/index.js';
import { summarizeRollouts } from '../rollout/index.js';
import { bearerTokenSource } from './bearerToken.js';
import { colorsEnabled, makeColors } from './colors.js';
import { type AgentSeen, agentsOf, connectedLine } from './connectedLine.js';
import { type EventStream, followEvents, type StreamStatus } from './eventStream.js';
import { LineOutput } from './lineOutput.js';
import { isFinished, PullTable, type Verdict, type WatchedPull } from './pullTable.js';
import { rolloutSegments } from './rolloutLine.js';
import { paint } from './segments.js';
import { TerminalUi } from './terminalUi.js';
import { getJson, HttpError, httpTransport, serverMessage, type Transport } from './transport.js';
import { timeoutMessage, UntilDone } from './untilDone.js';
import { filterQuery, parseWatchArgs, type WatchOptions, WatchUsageError, watchHelp } from './watchOptions.js';

export interface WatchIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  env: NodeJS.ProcessEnv;
}

const PROCESS_IO = (): WatchIo => ({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });

/** The `pulltrace watch` command: parses its flags and runs; resolves with the exit code. */
export async function runWatchCommand(argv: string[], io: WatchIo = PROCESS_IO()): Promise<number> {
  let options: WatchOptions;
  try {
    options = parseWatchArgs(argv, io.env);
  } catch (err) {
    if (err instanceof WatchUsageError) {
      io.stderr.write(`pulltrace watch: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (options.help) {
    io.stdout.write(`${watchHelp()}\n`);
    return 0;
  }
  const token = bearerTokenSource(options, (path) => readFileSync(path, 'utf8'));
  try {
    token?.(); // a missing or malformed token is a usage error before anything connects
  } catch (err) {
    io.stderr.write(`pulltrace watch: ${printable((err as Error).message)}\n`);
    return 2;
  }
  // Asked per request: a token file rotated on disk is read again on the next reconnect.
  const requestOptions = async (): Promise<https.RequestOptions> => (token ? { headers: { authorization: `Bearer ${token()}` } } : {});
  const where = redactSecrets(options.server);
  try {
    return await watch(httpTransport(options.server, requestOptions, where), options, io);
  } catch (err) {
    io.stderr.write(`pulltrace watch: ${describeFailure(err, where)}\n`);
    return 1;
  }
}

/** A failure as one printable line, without credentials (the server's own text is quoted in it). */
export function describeFailure(err: unknown, where: string): string {
  return printable(redactSecrets(failureText(err, where)));
}

function failureText(err: unknown, where: string): string {
  if (err instanceof HttpError)
    return `${where} answered HTTP ${err.status} to ${err.path}${serverMessage(err.body) ? `: ${serverMessage(err.body)}` : ''}`;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ECONNREFUSED' || e?.code === 'ENOTFOUND' || e?.code === 'EHOSTUNREACH' || e?.code === 'ECONNRESET')
    return `cannot reach ${where} (${e.code}); is the server running? (--server, PULLTRACE_SERVER_URL)`;
  return err instanceof Error ? err.message : String(err);
}

/** How long the "connected" line waits for the agent list before giving the pull count only. */
const AGENTS_WAIT_MS = 3000;

/** Says what --until-done waits for, so a log shows why it ends (or does not). */
function untilDoneLine(counted: readonly WatchedPull[], matched: number, since: string): string {
  const running = counted.filter((p) => !isFinished(p.status)).length;
  const ignored = matched - counted.length;
  return `--until-done: waiting for ${running} running pull${running === 1 ? '' : 's'} and any that start after ${since}${ignored > 0 ? `; ${ignored} that finished before are not counted` : ''}`;
}

/**
 * Runs a watch over a transport (plain HTTP, or kubectl-pulltrace's service proxy). Rejects with
 * the first error when the server cannot be reached at all; later drops are reconnected.
 */
export async function watch(transport: Transport, options: WatchOptions, io: WatchIo): Promise<number> {
  const startedAt = Date.now();
  const table = new PullTable();
  const untilDone = new UntilDone(options.sinceMs ?? startedAt);
  const query = filterQuery(options.filters);
  // The agent list only feeds the "connected" line: an older server without it is no error.
  // Bounded: a server (or proxy) that never finishes answering it must not hold the watch up.
  const agentsAbort = AbortSignal.timeout(AGENTS_WAIT_MS);
  const agentsAsked = getJson<unknown>(transport, '/api/v1/agents', agentsAbort).then(agentsOf, () => undefined);
  const seed = await getJson<{ pulls: WatchedPull[] }>(transport, `/api/v1/pulls${query ? `?${query}` : ''}`);
  for (const pull of Array.isArray(seed.pulls) ? seed.pulls : []) untilDone.see(table.put(pull).pull);
  const agents: AgentSeen[] | undefined = await agentsAsked;
  const filtered = query !== '' || options.filters.status !== '';

  const tui = options.output === 'auto' && Boolean(io.stdout.isTTY) && Boolean(io.stdin.isTTY);
  const colors = makeColors(colorsEnabled(Boolean(io.stdout.isTTY), io.env));
  const lineMode = options.output === 'json' || options.output === 'wide' ? options.output : 'plain';
  const lines = tui ? undefined : new LineOutput(lineMode, colors);

  return new Promise<number>((resolve) => {
    let finished = false;
    let stream: EventStream | undefined;
    let timer: NodeJS.Timeout | undefined;
    const counted = () => untilDone.counting(table.matching(options.filters));
    const finish = (code: number, verdict?: Verdict) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      stream?.close();
      ui?.close();
      if (verdict && verdict !== 'waiting') {
        const closing = lines
          ? lines.closingLines(counted())
          : summarizeRollouts(counted()).map((s) => paint([['==', 'bold'], [` ${s.imageRef}  `], ...rolloutSegments(s)], colors));
        for (const line of closing) io.stdout.write(`${line}\n`);
        const matched = counted();
        const failed = matched.filter((p) => p.status === 'failed').length;
        io.stderr.write(
          failed > 0 ? `# ${failed} of ${matched.length} matched pulls failed\n` : `# all ${matched.length} matched pulls completed\n`,
        );
      }
      resolve(code);
    };
    const checkDone = () => {
      if (!options.untilDone) return;
      const verdict = untilDone.verdict(table.matching(options.filters));
      if (verdict !== 'waiting') finish(verdict === 'failed' ? 1 : 0, verdict);
    };
    const sinceText = new Date(untilDone.sinceMs).toISOString();
    const print = (text: string[]) => {
      for (const line of text) io.stdout.write(`${line}\n`);
    };

    const ui = tui
      ? new TerminalUi({
          table,
          filters: options.filters,
          server: transport.describe,
          colors,
          stdout: io.stdout,
          stdin: io.stdin,
          loadLayers: (id) => {
            getJson<{ layers?: LayerStatus[] }>(transport, `/api/v1/pulls/${encodeURIComponent(id)}`).then(
              (p) => {
                table.setLayers(id, Array.isArray(p.layers) ? p.layers : []);
                ui?.schedule();
              },
              (err: unknown) => ui?.say(`layers of ${id}: ${err instanceof Error ? err.message : String(err)}`),
            );
          },
          onQuit: (code) => finish(code),
        })
      : undefined;

    const say = (text: string) => {
      if (ui) ui.say(text);
      else io.stderr.write(`# ${printable(redactSecrets(text))}\n`);
    };

    if (lines) {
      for (const pull of table.matching(options.filters)) {
        const raw = { schemaVersion: 'v1', timestamp: new Date().toISOString(), type: 'pull.progress', nodeName: pull.nodeName, pull };
        print(lines.linesFor({ pull, previous: undefined, type: 'pull.progress' }, () => table.matching(options.filters), raw));
      }
    }
    checkDone();
    if (finished) return;
    if (options.untilDone && options.timeoutMs !== undefined) {
      const timeoutMs = options.timeoutMs;
      // Counted from the start, connecting included: a deploy script's bound on the whole wait.
      timer = setTimeout(
        () => {
          const text = timeoutMessage(formatDuration(timeoutMs), counted(), sinceText);
          finish(3);
          io.stderr.write(`# ${text}\n`);
        },
        Math.max(0, startedAt + timeoutMs - Date.now()),
      );
    }
    let connectedOnce = false;

    stream = followEvents(transport, `${query ? `${query}&` : ''}layers=0`, {
      onEvent(event, raw) {
        const change = table.apply(event);
        if (!change) return;
        untilDone.see(change.pull);
        if (lines) print(lines.linesFor(change, () => table.matching(options.filters), raw));
        else ui?.schedule();
        checkDone();
      },
      onStatus(status: StreamStatus) {
        if (status.state === 'live') {
          ui?.setConnection('live', true);
          if (!connectedOnce) {
            connectedOnce = true;
            say(connectedLine(transport.describe, table.matching(options.filters).length, filtered, agents, options.filters.cluster));
            if (options.untilDone) say(untilDoneLine(counted(), table.matching(options.filters).length, sinceText));
          }
          if (status.reconnected)
            say(
              `reconnected to ${transport.describe}${status.resumedAfter ? ` (Last-Event-ID ${status.resumedAfter}: missed events resent, or a fresh snapshot)` : ''}`,
            );
        } else if (status.state === 'reconnecting') {
          const text = `connection lost (${status.reason}); reconnecting in ${Math.round(status.inMs / 1000)}s (attempt ${status.attempt})`;
          ui?.setConnection(`reconnecting (attempt ${status.attempt})`, false);
          say(text);
        } else ui?.setConnection('connecting…', false);
      },
    });
    stream.done.then(
      () => finish(0),
      (err: unknown) => {
        if (finished) return;
        clearTimeout(timer);
        ui?.close();
        io.stderr.write(`pulltrace watch: ${describeFailure(err, transport.describe)}\n`);
        finished = true;
        resolve(1);
      },
    );
  });
}
