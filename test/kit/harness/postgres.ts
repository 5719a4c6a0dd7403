// A real PostgreSQL (Debian's postgresql 15) in a temp directory on a free 127.0.0.1 port, for the
// history store tests. PostgreSQL refuses to run as root, so as root (CI) initdb and the server run
// as `nobody`, which owns the temp directory; as any other user they run as that user.
// stop() and start() end and restart the same server by PID (for "PostgreSQL went away" tests).
import { chown } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startOnFreePort } from './freePort.js';
import { type ManagedProcess, runProcess, startProcess } from './processes.js';
import { makeTempDir, removeDir } from './tempDir.js';
import { StopWaiting, waitFor } from './waitFor.js';

export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';
const NOBODY = 65534;
const START_TIMEOUT_MS = 20_000;

export interface PostgresHandle {
  /** postgres://pulltrace@127.0.0.1:<port>/postgres (trust authentication on loopback) */
  url: string;
  port: number;
  /** the running server's PID (undefined while stopped) */
  readonly pid: number | undefined;
  /** end the server by PID (SIGINT: fast shutdown, clients disconnected); the data stays */
  stop(): Promise<void>;
  /** start it again on the same port and data directory */
  start(): Promise<void>;
  /** end the server and remove its data */
  close(): Promise<void>;
}

export async function startPostgres(): Promise<PostgresHandle> {
  const dir = await makeTempDir('pg');
  const asUser = process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};
  if (asUser.uid !== undefined) await chown(dir, NOBODY, NOBODY);
  const dataDir = join(dir, 'data');
  const init = await runProcess(
    join(POSTGRES_BIN, 'initdb'),
    ['-D', dataDir, '-U', 'pulltrace', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'],
    { name: 'initdb', ...asUser, cwd: dir, timeoutMs: 60_000 },
  );
  if (init.code !== 0) {
    await removeDir(dir);
    throw new Error(`initdb failed (exit ${init.code}): ${init.stderr.slice(-2000)}`);
  }
  let port = 0;
  let proc: ManagedProcess | undefined;

  const launch = async (): Promise<void> => {
    const p = startProcess(
      join(POSTGRES_BIN, 'postgres'),
      // Tests need no durability: fsync off keeps a loaded machine from waiting on the disk.
      ['-D', dataDir, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=50'],
      { name: 'postgres', ...asUser, cwd: dir, logFile: join(dir, 'postgres.log') },
    );
    proc = p;
    await waitFor(
      async () => {
        if (!p.running) throw new StopWaiting(`postgres exited at start; see ${join(dir, 'postgres.log')}`);
        const ready = await runProcess(join(POSTGRES_BIN, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'pulltrace'], {
          name: 'pg_isready',
          timeoutMs: 5000,
        });
        return ready.code === 0;
      },
      { timeoutMs: START_TIMEOUT_MS, what: `postgres to accept connections on 127.0.0.1:${port}`, intervalMs: 100 },
    );
  };

  try {
    await startOnFreePort(
      async (p) => {
        port = p;
        await launch();
      },
      async () => proc?.stop(5000),
    );
  } catch (err) {
    await removeDir(dir);
    throw err;
  }

  const stop = async () => {
    if (!proc) return;
    // SIGINT is PostgreSQL's fast shutdown: sessions are ended at once, like a server going away.
    proc.signal('SIGINT');
    const exited = await Promise.race([proc.exited, delay(10_000, undefined, { ref: false })]);
    if (!exited) await proc.stop(0);
    proc = undefined;
  };
  return {
    url: `postgres://pulltrace@127.0.0.1:${port}/postgres`,
    port,
    get pid() {
      return proc?.pid;
    },
    stop,
    start: launch,
    async close() {
      await stop();
      await removeDir(dir);
    },
  };
}
