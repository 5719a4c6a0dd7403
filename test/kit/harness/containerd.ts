// A private containerd for a test: its own root, state, socket and config, never the system one.
// Debian's 1.6 by default; { series: '1.7' | '2.x' } runs the versions fetched by
// scripts/provision/containerd-versions.sh (see containerdVersions.ts). containerd 2.x reads this
// version-2 config and migrates it itself.
//
// Started from the Debian package binary as root. Plugins that need what these machines do not have
// are disabled (cri needs CNI and runc configuration; btrfs/aufs/zfs/devmapper need their filesystems),
// which leaves a clean start with no errors in the log. The "opt" plugin is pointed into the temp
// root so nothing is written to /opt/containerd.
//
// With { cri: true } the CRI plugin is kept (it loads cleanly; its one error, "failed to load cni during
// init", only matters for pod networking) so that criPull() can pull the way kubelet does.
//
// Snapshotter: overlayfs when its plugin loaded (containerd 1.6 test-mounts an overlay at plugin init,
// so "ok" means it really works), else native. ctr is given CONTAINERD_SNAPSHOTTER accordingly.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ContainerdSeries, containerdBinaries } from './containerdVersions.js';
import { type CriPull, criPullImage } from './criPull.js';
import { type ContentEntry, type ImageEntry, parseContentList, parseImageList } from './ctrOutput.js';
import { type ManagedProcess, type ProcessResult, runProcess, startProcess } from './processes.js';
import { makeTempDir, removeDir } from './tempDir.js';
import { StopWaiting, waitFor } from './waitFor.js';

export interface CtrResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface PullProcess {
  pid: number;
  /** resolves when ctr has exited (code 0 = pulled and unpacked) */
  done: Promise<CtrResult>;
  /** SIGKILL the ctr process by PID (no-op after it exited) */
  kill(): void;
}

export interface ContainerdHandle {
  socket: string;
  root: string;
  state: string;
  /** PID of the current containerd process (changes on restart) */
  pid: number;
  /** the directory holding root, state, socket, config and log */
  dir: string;
  /** "overlayfs" or "native" */
  snapshotter: string;
  /** which containerd this is (1.6, 1.7 or 2.x) */
  series: ContainerdSeries;
  /** containerd's log file (stdout+stderr), useful in failure messages */
  logFile: string;
  /** run `ctr --address <socket> -n <namespace> …` (namespace default k8s.io) and collect its output */
  ctr(args: string[], opts?: { namespace?: string; timeoutMs?: number }): Promise<CtrResult>;
  /** `ctr content ls` parsed: committed blobs with their labels (namespace default k8s.io) */
  content(opts?: { namespace?: string }): Promise<ContentEntry[]>;
  /** `ctr images ls` parsed: image records (namespace default k8s.io) */
  images(opts?: { namespace?: string }): Promise<ImageEntry[]>;
  /**
   * pull through the CRI plugin (runtime.v1 PullImage, namespace k8s.io, plain HTTP for the ref's host),
   * as kubelet does; needs startContainerd({ cri: true })
   */
  criPull(ref: string): CriPull;
  /** start `ctr -n <ns> images pull --plain-http [--platform p] <ref>` (ns default k8s.io) without waiting */
  startPull(ref: string, opts?: { namespace?: string; platform?: string; extraArgs?: string[] }): PullProcess;
  /** whether the containerd process is running (false after kill() until restart()) */
  readonly running: boolean;
  /**
   * end containerd abruptly (default SIGKILL: a crash, leaving ingests and leases on disk) and wait
   * for it to exit; root, state and socket stay, restart() brings it back
   */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** stop (SIGTERM, SIGKILL after 5 s, by PID; nothing if already down) and start again on the same root, state and socket */
  restart(): Promise<void>;
  /** end pulls started by startPull and containerd (by PID), then remove the temp dir */
  stop(): Promise<void>;
}

export const DEFAULT_NAMESPACE = 'k8s.io';

const ALWAYS_DISABLED = [
  'io.containerd.snapshotter.v1.btrfs',
  'io.containerd.snapshotter.v1.aufs',
  'io.containerd.snapshotter.v1.zfs',
  'io.containerd.snapshotter.v1.devmapper',
];

const START_TIMEOUT_MS = 15_000;

export interface ContainerdConfigPaths {
  root: string;
  state: string;
  socket: string;
  /** the opt plugin's directory (default /opt/containerd otherwise) */
  opt: string;
  /** set to keep the CRI plugin: its private dirs and the snapshotter it unpacks with */
  cri?: { dir: string; snapshotter: string };
}

/** the config.toml for a private containerd (TOML strings written as JSON strings: same escaping) */
export function containerdConfig(paths: ContainerdConfigPaths): string {
  const q = JSON.stringify;
  const disabled = paths.cri ? ALWAYS_DISABLED : ['io.containerd.grpc.v1.cri', ...ALWAYS_DISABLED];
  const lines = [
    'version = 2',
    `root = ${q(paths.root)}`,
    `state = ${q(paths.state)}`,
    `disabled_plugins = [${disabled.map((p) => q(p)).join(', ')}]`,
    '',
    '[grpc]',
    `  address = ${q(paths.socket)}`,
    '',
    '[ttrpc]',
    `  address = ${q(`${paths.socket}.ttrpc`)}`,
    '',
    '[debug]',
    '  address = ""',
    '  level = "info"',
    '',
    '[metrics]',
    '  address = ""',
    '',
    '[plugins]',
    '  [plugins."io.containerd.internal.v1.opt"]',
    `    path = ${q(paths.opt)}`,
  ];
  if (paths.cri) {
    const d = paths.cri.dir;
    lines.push(
      '  [plugins."io.containerd.grpc.v1.cri"]',
      '    disable_tcp_service = true',
      '    stream_server_address = "127.0.0.1"',
      '    stream_server_port = "0"',
      '    [plugins."io.containerd.grpc.v1.cri".containerd]',
      `      snapshotter = ${q(paths.cri.snapshotter)}`,
      '    [plugins."io.containerd.grpc.v1.cri".cni]',
      `      bin_dir = ${q(`${d}/cni/bin`)}`,
      `      conf_dir = ${q(`${d}/cni/conf`)}`,
      '    [plugins."io.containerd.grpc.v1.cri".registry]',
      // hosts.toml per registry host (written by criPull) tells CRI to use plain HTTP.
      `      config_path = ${q(`${d}/certs.d`)}`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

/** certs.d/<host>/hosts.toml making CRI talk plain HTTP to a loopback registry or proxy */
export function plainHttpHostsToml(host: string): string {
  return [`server = "http://${host}"`, '', `[host."http://${host}"]`, '  capabilities = ["pull", "resolve"]', ''].join('\n');
}

export async function startContainerd(opts: { dir?: string; cri?: boolean; series?: ContainerdSeries } = {}): Promise<ContainerdHandle> {
  const series = opts.series ?? '1.6';
  const bins = containerdBinaries(series);
  const dir = await makeTempDir('ctd', opts.dir);
  const root = join(dir, 'root');
  const state = join(dir, 'state');
  const socket = join(dir, 'c.sock');
  const configFile = join(dir, 'config.toml');
  const logFile = join(dir, 'containerd.log');
  if (Buffer.byteLength(`${socket}.ttrpc`) > 100) {
    await removeDir(dir);
    throw new Error(`startContainerd: socket path too long for a unix socket: ${socket} (use a shorter opts.dir)`);
  }
  const writeConfig = (criSnapshotter: string) =>
    writeFile(
      configFile,
      containerdConfig({ root, state, socket, opt: join(dir, 'opt'), cri: opts.cri ? { dir, snapshotter: criSnapshotter } : undefined }),
    );
  await writeConfig('overlayfs');

  let proc: ManagedProcess | undefined;
  let snapshotter = 'native';
  const pulls = new Set<ManagedProcess>();
  const criPulls = new Set<CriPull>();

  const ctr = async (args: string[], o: { namespace?: string; timeoutMs?: number } = {}): Promise<CtrResult> => {
    const r: ProcessResult = await runProcess(bins.ctr, ['--address', socket, '-n', o.namespace ?? DEFAULT_NAMESPACE, ...args], {
      name: `ctr ${args.slice(0, 2).join(' ')}`,
      env: { ...process.env, CONTAINERD_SNAPSHOTTER: snapshotter },
      timeoutMs: o.timeoutMs ?? 30_000,
    });
    return { code: r.code, stdout: r.stdout, stderr: r.stderr };
  };

  const logTail = async (): Promise<string> => {
    try {
      const text = await readFile(logFile, 'utf8');
      return text.split('\n').slice(-20).join('\n');
    } catch {
      return '(no log)';
    }
  };

  const launch = async (): Promise<void> => {
    const p = startProcess(bins.containerd, ['--config', configFile], { name: `containerd ${series}`, logFile });
    proc = p;
    try {
      await waitFor(
        async () => {
          if (!p.running) throw new StopWaiting(`containerd exited: ${JSON.stringify(await p.exited)}`);
          if (!existsSync(socket)) return false;
          return (await ctr(['version'], { timeoutMs: 5000 })).code === 0;
        },
        { timeoutMs: START_TIMEOUT_MS, what: `containerd to answer on ${socket}`, intervalMs: 100 },
      );
    } catch (e) {
      await p.stop();
      throw new Error(`${(e as Error).message}\ncontainerd log (${logFile}):\n${await logTail()}`);
    }
  };

  const stopDaemon = async (): Promise<void> => {
    if (proc) await proc.stop(5000);
  };

  try {
    await launch();
    const plugins = await ctr(['plugins', 'ls']);
    if (/io\.containerd\.snapshotter\.v1\s+overlayfs\s+\S+\s+ok/.test(plugins.stdout)) snapshotter = 'overlayfs';
    // 2.1's `ctr images pull` goes through the transfer service, which refuses the native
    // snapshotter ("no unpack platforms defined"): those tests need overlayfs.
    if (series === '2.x' && snapshotter !== 'overlayfs') throw new Error('containerd 2.x: the overlayfs snapshotter did not load');
    if (opts.cri && snapshotter !== 'overlayfs') {
      // CRI reads its snapshotter from the config only: start again with native.
      await writeConfig(snapshotter);
      await stopDaemon();
      await launch();
    }
  } catch (e) {
    await stopDaemon();
    await removeDir(dir);
    throw e;
  }

  const handle: ContainerdHandle = {
    socket,
    root,
    state,
    dir,
    logFile,
    get pid() {
      return proc?.pid ?? -1;
    },
    get snapshotter() {
      return snapshotter;
    },
    series,
    get running() {
      return proc?.running ?? false;
    },
    async kill(signal = 'SIGKILL') {
      if (!proc) return;
      proc.signal(signal);
      await proc.exited;
    },
    ctr,
    async content(o = {}) {
      return parseContentList(checked(await ctr(['content', 'ls'], o), 'content ls'));
    },
    async images(o = {}) {
      return parseImageList(checked(await ctr(['images', 'ls'], o), 'images ls'));
    },
    startPull(ref, o = {}) {
      const args = ['--address', socket, '-n', o.namespace ?? DEFAULT_NAMESPACE, 'images', 'pull', '--plain-http'];
      if (o.platform) args.push('--platform', o.platform);
      args.push(...(o.extraArgs ?? []), ref);
      const ctrProc = startProcess(bins.ctr, args, {
        name: `ctr pull ${ref}`,
        env: { ...process.env, CONTAINERD_SNAPSHOTTER: snapshotter },
      });
      pulls.add(ctrProc);
      const done = ctrProc.exited.then((r) => {
        pulls.delete(ctrProc);
        return { code: r.code, stdout: r.stdout, stderr: r.stderr };
      });
      return { pid: ctrProc.pid, done, kill: () => ctrProc.signal('SIGKILL') };
    },
    criPull(ref) {
      if (!opts.cri) throw new Error('criPull: start containerd with startContainerd({ cri: true })');
      const host = ref.slice(0, ref.indexOf('/'));
      if (!host) throw new Error(`criPull: reference "${ref}" has no registry host`);
      const hostsDir = join(dir, 'certs.d', host);
      const ready = mkdir(hostsDir, { recursive: true }).then(() => writeFile(join(hostsDir, 'hosts.toml'), plainHttpHostsToml(host)));
      let inner: CriPull | undefined;
      let cancelled = false;
      const pull: CriPull = {
        done: ready.then(() => {
          if (cancelled) return { ok: false, error: 'cancelled before start' };
          inner = criPullImage(socket, ref);
          return inner.done;
        }),
        cancel: () => {
          cancelled = true;
          inner?.cancel();
        },
      };
      criPulls.add(pull);
      const forget = () => criPulls.delete(pull);
      pull.done.then(forget, forget);
      return pull;
    },
    async restart() {
      await stopDaemon();
      await launch();
    },
    async stop() {
      await Promise.all([...pulls].map((p) => p.stop(2000)));
      for (const p of criPulls) p.cancel();
      await stopDaemon();
      await removeDir(dir);
    },
  };
  return handle;
}

function checked(r: CtrResult, what: string): string {
  if (r.code !== 0) throw new Error(`ctr ${what} failed (exit ${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}
