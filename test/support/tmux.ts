// A real terminal for tests: Debian's tmux, on its own socket in a temp dir (never the user's
// server), a session of a fixed size running one command; keys in with send-keys, the screen out
// with capture-pane. The pane stays after the command exits so its exit status can be read.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atHarnessExit, StopWaiting, waitFor } from '../harness/index.js';

export interface TmuxSession {
  /** the screen as text (`escapes`: with colour and attribute sequences) */
  capture(escapes?: boolean): string;
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
  const shell = [...(env.length > 0 ? ['env', ...env] : []), ...command.map(shellQuote)].join(' ');
  // -f /dev/null: no user config; remain-on-exit is set before the command can end.
  tmux('-f', '/dev/null', 'new-session', '-d', '-x', String(options.width ?? 160), '-y', String(options.height ?? 40), 'sleep 100000');
  tmux('set-option', '-g', 'remain-on-exit', 'on');
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
      const status = await waitFor(
        () => {
          const [dead, code, signal] = tmux('display-message', '-p', '-t', '0', '#{pane_dead}:#{pane_dead_status}:#{pane_dead_signal}')
            .trim()
            .split(':');
          if (dead !== '1') return undefined;
          // tmux marks the pane dead a moment before it records how the command ended.
          if (code === '' && !signal) return undefined;
          if (code === '') throw new StopWaiting(`the command in tmux ended by signal ${signal}\nscreen:\n${capture()}`);
          return { code: Number(code) };
        },
        { timeoutMs, what: `the command in tmux to exit\nscreen:\n${capture()}` },
      );
      return status.code;
    },
    kill,
  };
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
