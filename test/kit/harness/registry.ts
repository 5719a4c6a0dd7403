// A private Docker registry (Debian `docker-registry`, distribution 2.8) on 127.0.0.1 with temp storage.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './freePort.js';
import { type ManagedProcess, startProcess } from './processes.js';
import { makeTempDir, removeDir } from './tempDir.js';
import { StopWaiting, waitFor } from './waitFor.js';

export interface RegistryHandle {
  /** "127.0.0.1:<port>" */
  host: string;
  port: number;
  pid: number;
  /** storage root, config and log live here */
  dir: string;
  /** end the registry by PID and remove its storage */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

/** registry config; JSON is valid YAML, so no YAML writer is needed */
export function registryConfig(storageDir: string, port: number): string {
  return JSON.stringify(
    {
      version: 0.1,
      log: { level: 'warn', accesslog: { disabled: true } },
      storage: {
        filesystem: { rootdirectory: storageDir },
        delete: { enabled: true },
        maintenance: { uploadpurging: { enabled: false } },
      },
      // A fixed secret silences the "No HTTP secret provided" warning; nothing else depends on it.
      http: { addr: `127.0.0.1:${port}`, secret: 'pulltrace-test-harness' },
    },
    null,
    2,
  );
}

export async function startRegistry(): Promise<RegistryHandle> {
  const dir = await makeTempDir('reg');
  const logFile = join(dir, 'registry.log');
  // The port is chosen before the registry binds it; another process may take it in between: retry.
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const configFile = join(dir, 'config.yml');
    await writeFile(configFile, registryConfig(join(dir, 'storage'), port));
    const proc = startProcess('docker-registry', ['serve', configFile], { name: 'docker-registry', logFile });
    try {
      await waitUntilServing(proc, port);
      return {
        host: `127.0.0.1:${port}`,
        port,
        pid: proc.pid,
        dir,
        async stop() {
          await proc.stop(5000);
          await removeDir(dir);
        },
      };
    } catch (e) {
      await proc.stop(2000);
      let log = '';
      try {
        log = await readFile(logFile, 'utf8');
      } catch {}
      lastError = new Error(`${(e as Error).message}\nregistry log:\n${log.split('\n').slice(-10).join('\n')}`);
    }
  }
  await removeDir(dir);
  throw lastError ?? new Error('startRegistry failed');
}

async function waitUntilServing(proc: ManagedProcess, port: number): Promise<void> {
  await waitFor(
    async () => {
      if (!proc.running) throw new StopWaiting(`docker-registry exited with ${(await proc.exited).code}`);
      const res = await fetch(`http://127.0.0.1:${port}/v2/`);
      return res.status === 200;
    },
    { timeoutMs: START_TIMEOUT_MS, what: `docker-registry to answer GET /v2/ on 127.0.0.1:${port}`, intervalMs: 100 },
  );
}
