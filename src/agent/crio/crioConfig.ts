// The paths the agent needs from CRI-O's configuration, as `GET /config` on crio.sock answers it
// (the TOML of `crio config`): `[crio] root` (containers/storage's graph root) and
// `[crio.image] big_files_temporary_dir` (empty: containers/image's default, /var/tmp). Only these
// keys are read, so no TOML library is needed: `key = "value"` lines under their table.

export interface CrioConfigPaths {
  storageRoot?: string;
  tmpDir?: string;
}

export function parseCrioConfigPaths(toml: string): CrioConfigPaths {
  const out: CrioConfigPaths = {};
  let table = '';
  for (const raw of toml.split('\n')) {
    const line = raw.trim();
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      table = (header[1] as string).trim();
      continue;
    }
    const kv = /^([A-Za-z0-9_]+)\s*=\s*"((?:[^"\\]|\\.)*)"/.exec(line);
    if (!kv) continue;
    const [, key, value] = kv as unknown as [string, string, string];
    if (table === 'crio' && key === 'root' && value.startsWith('/')) out.storageRoot = value;
    if (table === 'crio.image' && key === 'big_files_temporary_dir' && value.startsWith('/')) out.tmpDir = value;
  }
  return out;
}
