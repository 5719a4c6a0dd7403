// A real NATS server with JetStream (Debian's nats-server 2.9) on a free 127.0.0.1 port, its store
// in a temp dir. stop() and start() end and restart the same server (same port, same store) by PID,
// for "NATS went away" tests. `config` adds nats-server configuration (an `authorization` block, a
// `tls` block, an operator); `probe` is how the readiness check then connects.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ConnectionOptions, connect } from 'nats';
import { freePort, startOnFreePort } from './freePort.js';
import { type ManagedProcess, startProcess } from './processes.js';
import { makeTempDir, removeDir } from './tempDir.js';
import { StopWaiting, waitFor } from './waitFor.js';

export interface NatsHandle {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
  /** a new configuration (and readiness credentials) for the next start() */
  reconfigure(config: string, probe?: Partial<ConnectionOptions>): void;
}

/** `options.port`: a port chosen beforehand (e.g. one a server was told to use before NATS existed). */
export interface NatsOptions {
  port?: number;
  jetstream?: boolean;
  /** nats-server configuration text (authorization, tls, operator), written to a file it reads */
  config?: string;
  /** client options for the readiness check (credentials, TLS) */
  probe?: Partial<ConnectionOptions>;
  /** the scheme of `url` (tls when the server requires TLS) */
  scheme?: 'nats' | 'tls';
}

export async function startNats(options: NatsOptions = {}): Promise<NatsHandle> {
  const dir = await makeTempDir('nats');
  let port = 0;
  let proc: ManagedProcess | undefined;
  const configFile = join(dir, 'nats.conf');
  const configArgs: string[] = [];
  let probe = options.probe;
  if (options.config !== undefined) {
    writeFileSync(configFile, options.config);
    configArgs.push('-c', configFile);
  }
  const launch = async () => {
    const js = options.jetstream === false ? [] : ['-js', '-sd', join(dir, 'js')];
    const p = startProcess('nats-server', [...configArgs, ...js, '-a', '127.0.0.1', '-p', String(port)], {
      name: 'nats-server',
      logFile: join(dir, 'nats.log'),
    });
    proc = p;
    await waitFor(
      async () => {
        if (!p.running) throw new StopWaiting(`nats-server exited at start; see ${join(dir, 'nats.log')}`);
        const nc = await connect({ servers: `nats://127.0.0.1:${port}`, reconnect: false, timeout: 1000, ...probe });
        try {
          if (options.jetstream !== false) await (await nc.jetstreamManager()).getAccountInfo();
          return true;
        } finally {
          await nc.close();
        }
      },
      { timeoutMs: 20_000, what: `nats-server with JetStream on 127.0.0.1:${port}`, intervalMs: 100 },
    );
  };
  try {
    await startOnFreePort(
      async (p) => {
        port = p;
        await launch();
      },
      async () => proc?.stop(2000),
      async () => options.port ?? (await freePort()),
    );
  } catch (err) {
    await removeDir(dir);
    throw err;
  }
  const stop = async () => {
    await proc?.stop(5000);
    proc = undefined;
  };
  return {
    url: `${options.scheme ?? 'nats'}://127.0.0.1:${port}`,
    port,
    stop,
    start: launch,
    reconfigure(config, newProbe) {
      if (options.config === undefined) throw new Error('reconfigure needs a server started with a config');
      writeFileSync(configFile, config);
      probe = newProbe;
    },
    async close() {
      await stop();
      await removeDir(dir);
    },
  };
}
