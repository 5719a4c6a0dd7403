// Child processes the harness starts (containerd, registry, ctr, skopeo), each ended by PID.
// Every process is also in a process-wide registry so that it is killed when the node process
// exits or is interrupted, even if a test forgot (or failed before) its cleanup.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface ProcessResult {
  /** exit code; -1 when the process was ended by a signal or could not start */
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface StartOptions {
  /** short name used in error messages */
  name: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** append stdout and stderr to this file instead of keeping them in memory (long-running daemons) */
  logFile?: string;
  /** run as this user and group (daemons that refuse root, e.g. PostgreSQL); only when running as root */
  uid?: number;
  gid?: number;
}

// Keep only the end of long outputs (ctr pull prints a progress table many times a second).
const MAX_KEPT_OUTPUT = 256 * 1024;

const live = new Set<ManagedProcess>();

export class ManagedProcess {
  readonly pid: number;
  readonly name: string;
  /** resolves (never rejects) when the process has exited */
  readonly exited: Promise<ProcessResult>;
  private out = '';
  private err = '';
  private done = false;

  constructor(child: ChildProcess, name: string) {
    this.name = name;
    if (child.pid === undefined) throw new Error(`${name}: could not start (no PID)`);
    this.pid = child.pid;
    // 'close' (below) follows both a normal exit and a spawn error.
    child.stdout?.setEncoding('utf8').on('data', (s: string) => {
      this.out = keepTail(this.out + s);
    });
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      this.err = keepTail(this.err + s);
    });
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.done = true;
        live.delete(this);
        resolve({ code: code ?? -1, signal, stdout: this.out, stderr: this.err });
      });
    });
    live.add(this);
  }

  get running(): boolean {
    return !this.done;
  }

  stdout(): string {
    return this.out;
  }

  stderr(): string {
    return this.err;
  }

  /** send a signal to this PID (no-op when it has already exited) */
  signal(signal: NodeJS.Signals): void {
    if (this.done) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      // already gone between the check and the kill
    }
  }

  /** SIGTERM, then SIGKILL after graceMs; resolves when the process has exited */
  async stop(graceMs = 5000): Promise<ProcessResult> {
    if (this.done) return this.exited;
    this.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.signal('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    return this.exited;
  }
}

function keepTail(s: string): string {
  return s.length > MAX_KEPT_OUTPUT ? s.slice(s.length - MAX_KEPT_OUTPUT) : s;
}

/**
 * Start a process. Throws at once with a clear error when the binary cannot be run.
 * The caller owns the result and must stop() it (or use a ProcessGroup).
 */
export function startProcess(command: string, args: string[], opts: StartOptions): ManagedProcess {
  installExitCleanup();
  let logFd: number | undefined;
  if (opts.logFile) logFd = openSync(opts.logFile, 'a');
  try {
    const child = spawn(command, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ['ignore', logFd ?? 'pipe', logFd ?? 'pipe'],
      ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
      ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
    });
    // Without a listener a failed spawn (ENOENT) would throw from the event loop.
    child.on('error', () => {});
    if (child.pid === undefined) throw new Error(`${opts.name}: cannot run "${command}" (not installed or not executable?)`);
    return new ManagedProcess(child, opts.name);
  } finally {
    if (logFd !== undefined) closeSync(logFd);
  }
}

/** Run a command to completion and collect its output; kills it (by PID) after timeoutMs. */
export async function runProcess(command: string, args: string[], opts: StartOptions & { timeoutMs?: number }): Promise<ProcessResult> {
  const proc = startProcess(command, args, opts);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.signal('SIGKILL');
  }, timeoutMs);
  const result = await proc.exited;
  clearTimeout(timer);
  if (timedOut) result.stderr += `\n[harness] ${opts.name} killed after ${timeoutMs} ms`;
  return result;
}

/** Processes started by the harness that have not exited yet (for diagnostics and tests). */
export function liveProcesses(): ReadonlyArray<{ pid: number; name: string }> {
  return [...live].map((p) => ({ pid: p.pid, name: p.name }));
}

/** SIGKILL every live harness process by PID (synchronous: usable from an 'exit' handler). */
export function killAllSync(): void {
  for (const p of live) p.signal('SIGKILL');
}

let cleanupInstalled = false;
const exitCallbacks: Array<() => void> = [];

/** run fn (synchronously) when the node process exits or is interrupted, after live processes are killed */
export function atHarnessExit(fn: () => void): void {
  installExitCleanup();
  exitCallbacks.push(fn);
}

function exitCleanup(): void {
  killAllSync();
  for (const fn of exitCallbacks) {
    try {
      fn();
    } catch {
      // best-effort at exit
    }
  }
}

function installExitCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.once('exit', exitCleanup);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      exitCleanup();
      // Re-raise with the default handler so the exit status says what happened.
      process.kill(process.pid, sig);
    });
  }
}

/**
 * A scope that ends what it started, in reverse order: processes (by PID) and any other cleanup
 * (temp dirs, proxies, handles). Typical use: `const group = new ProcessGroup(); t.after(() => group.close());`
 */
export class ProcessGroup {
  private cleanups: Array<{ what: string; run: () => Promise<unknown> | unknown }> = [];
  private closed = false;

  /** register something with a stop()/close() method; returns it for chaining */
  track<T extends { stop(): Promise<unknown> } | { close(): Promise<unknown> }>(thing: T, what = 'resource'): T {
    const run = 'stop' in thing ? () => thing.stop() : () => thing.close();
    this.defer(what, run);
    return thing;
  }

  /** register a cleanup function */
  defer(what: string, run: () => Promise<unknown> | unknown): void {
    if (this.closed) throw new Error(`ProcessGroup: cannot add "${what}" after close()`);
    this.cleanups.push({ what, run });
  }

  /** start a process that this group will stop */
  start(command: string, args: string[], opts: StartOptions): ManagedProcess {
    const proc = startProcess(command, args, opts);
    this.defer(`${opts.name} (pid ${proc.pid})`, () => proc.stop());
    return proc;
  }

  /** run every cleanup (last registered first); throws one error listing the ones that failed */
  async close(): Promise<void> {
    this.closed = true;
    const failures: string[] = [];
    for (const c of this.cleanups.reverse()) {
      try {
        await c.run();
      } catch (e) {
        failures.push(`${c.what}: ${(e as Error).message}`);
      }
    }
    this.cleanups = [];
    if (failures.length) throw new Error(`ProcessGroup cleanup failed:\n${failures.join('\n')}`);
  }
}
