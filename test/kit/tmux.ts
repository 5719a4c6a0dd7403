// A real terminal for tests: Debian's tmux, on its own socket in a temp dir (never the user's
// server), a session of a fixed size running one command; keys in with send-keys, the screen out
// with capture-pane. The pane stays after the command exits (its last screen can be read); the
// command's exit status is written to a file by the pane's shell, which is read rather than tmux's
// pane_dead_status (seen empty for good under load, so a test waited out its whole timeout).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atHarnessExit, waitFor } from './harness/index.js';

export interface TmuxSession {
  /** the screen as text (`escapes`: with colour and attribute sequences) */
  capture(escapes?: boolean): string;
  /** every byte the command wrote to the terminal so far, as tmux received it (pipe-pane) */
  output(): Buffer;
  /** the pane's title (an OSC 0/2 sequence written to the terminal sets it) */
  title(): string;
  sendKeys(...keys: string[]): void;
  /** waits until the screen satisfies `test`; returns the screen */
  waitForScreen(what: string, test: (screen: string) => boolean, timeoutMs?: number): Promise<string>;
  /** waits for the command to exit; returns its exit status */
  waitForExit(timeoutMs?: number): Promise<number>;
  kill(): void;
}

export function startTmux(
  command: string[],
  options: { width?: number; height?: number; env?: Record<string, string>; cwd?: string } = {},
): TmuxSession {
  const dir = mkdtempSync(join(tmpdir(), 'pulltrace-tmux-'));
  const socket = join(dir, 'sock');
  const tmux = (...args: string[]) => execFileSync('tmux', ['-S', socket, ...args], { encoding: 'utf8' });
  const env = Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)}`);
  const exitFile = join(dir, 'exit-status');
  // tmux runs the string with sh -c; the status is written to a temporary name and renamed, so a
  // reader never sees half a number. The shell traps SIGINT (a C-c reaches it too) so that it goes on
  // to write the status; a trap, unlike an ignored signal, is not inherited by the command.
  const shell = `trap true INT; ${[...(env.length > 0 ? ['env', ...env] : []), ...command.map(shellQuote)].join(' ')}; echo $? > ${exitFile}.tmp && mv ${exitFile}.tmp ${exitFile}`;
  // -f /dev/null: no user config; remain-on-exit is set before the command can end.
  tmux('-f', '/dev/null', 'new-session', '-d', '-x', String(options.width ?? 160), '-y', String(options.height ?? 40), 'sleep 100000');
  tmux('set-option', '-g', 'remain-on-exit', 'on');
  // Records the command's raw output; set before it starts, it stays across respawn-pane.
  const outputFile = join(dir, 'output');
  tmux('pipe-pane', '-t', '0', `cat >> ${outputFile}`);
  tmux('respawn-pane', '-k', '-t', '0', ...(options.cwd ? ['-c', options.cwd] : []), shell);
  let killed = false;
  const kill = () => {
    if (killed) return;
    killed = true;
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  atHarnessExit(kill);
  const capture = (escapes = false) => tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', '0');
  return {
    capture,
    output: () => {
      try {
        return readFileSync(outputFile);
      } catch {
        return Buffer.alloc(0);
      }
    },
    title: () => tmux('display-message', '-p', '-t', '0', '#{pane_title}').trim(),
    sendKeys: (...keys) => {
      tmux('send-keys', '-t', '0', ...keys);
    },
    async waitForScreen(what, test, timeoutMs = 45_000) {
      let last = '';
      try {
        return await waitFor(
          () => {
            last = capture();
            return test(last) ? last : undefined;
          },
          { timeoutMs, what, intervalMs: 100 },
        );
      } catch (err) {
        throw new Error(`${(err as Error).message}\nlast screen:\n${last}`);
      }
    },
    async waitForExit(timeoutMs = 45_000) {
      const { code } = await waitFor(
        () => {
          try {
            const text = readFileSync(exitFile, 'utf8').trim();
            // an object: waitFor takes a falsy result (exit status 0) for "not yet"
            return text === '' ? undefined : { code: Number(text) };
          } catch {
            return undefined;
          }
        },
        { timeoutMs, what: `the command in tmux to exit\nscreen:\n${capture()}` },
      );
      // sh reports a command ended by signal N as 128 + N
      if (code > 128) throw new Error(`the command in tmux ended by signal ${code - 128}\nscreen:\n${capture()}`);
      return code;
    },
    kill,
  };
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
