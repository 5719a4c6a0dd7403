// Starts the agent on a CRI-O node: settles the paths (CRI-O's /config when its socket answers,
// else the settings), checks the pull folder is readable, and runs the CRI-O loop.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import type { AgentSettings } from '../../config/index.js';
import type { Logger } from '../../log/index.js';
import { BlobInfoCache } from './blobInfoCache.js';
import { CrioLoop } from './crioLoop.js';
import { readCrioConfigPaths } from './crioSocket.js';
import { type CrioPaths, CrioSource } from './crioSource.js';

export interface RunningCrioAgent {
  close(): Promise<void>;
}

export async function startCrioAgent(settings: AgentSettings, logger: Logger, ca: string | undefined): Promise<RunningCrioAgent> {
  const paths: CrioPaths = { tmpDir: settings.crioTmpDir, storageRoot: settings.crioStorageRoot, cacheDir: settings.crioCacheDir };
  try {
    const fromCrio = await readCrioConfigPaths(settings.crioSocket);
    if (fromCrio.tmpDir) paths.tmpDir = fromCrio.tmpDir;
    if (fromCrio.storageRoot) paths.storageRoot = fromCrio.storageRoot;
    logger.info({ socket: settings.crioSocket, ...fromCrio }, "read CRI-O's /config");
  } catch (err) {
    logger.debug({ socket: settings.crioSocket, reason: (err as Error).message }, "CRI-O's /config not readable; using the path settings");
  }
  try {
    await access(paths.tmpDir, constants.R_OK | constants.X_OK);
  } catch (err) {
    throw new Error(
      `cannot read CRI-O's temporary folder ${paths.tmpDir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); set --crio-tmp-dir or PULLTRACE_CRIO_TMP_DIR (mount the node's folder read-only into the agent)`,
    );
  }
  // Loaded only here: agents on containerd nodes never load a database library.
  const { default: Database } = await import('better-sqlite3');
  const cache = new BlobInfoCache(paths.cacheDir, (file) => new Database(file, { readonly: true, fileMustExist: true, timeout: 250 }));
  const source = new CrioSource(paths, cache, logger);
  const loop = new CrioLoop({ settings, logger, source, ...(ca ? { ca } : {}) });
  loop.start();
  logger.info({ runtime: 'cri-o', ...paths }, 'reading CRI-O pulls from the node');
  return { close: () => loop.stop() };
}
