// Which container runtime the agent reads. `auto` prefers containerd (the agent's first runtime and
// what most clusters run) and takes CRI-O only when CRI-O's socket is there and containerd's is not;
// with neither, containerd's own start-up errors say what is missing.
import type { AgentRuntimeSetting } from '../config/index.js';

export type AgentRuntime = 'containerd' | 'crio';

export function chooseRuntime(setting: AgentRuntimeSetting, found: { containerd: boolean; crio: boolean }): AgentRuntime {
  if (setting !== 'auto') return setting;
  if (found.containerd) return 'containerd';
  return found.crio ? 'crio' : 'containerd';
}
