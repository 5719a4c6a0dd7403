// `pulltrace agent` as it runs inside `standalone` without Kubernetes: following every containerd
// namespace (re-listed each poll, one client per namespace). For bench:agent only: the CLI's
// `agent` command follows one namespace. Runs the compiled dist/, as installed.
import { startAgent } from '../../dist/agent/index.js';
import { resolveSettings } from '../../dist/config/index.js';
import { createLogger } from '../../dist/log/index.js';

const settings = resolveSettings('agent', {}, process.env);
const logger = createLogger(settings.logLevel).child({ component: 'agent' });
// argv[2]: ask for the namespace list every this many polls (the agent's default when absent).
const relist = process.argv[2] ? Number(process.argv[2]) : undefined;
const agent = await startAgent(settings, logger, {
  standalone: false,
  allNamespaces: true,
  ...(relist ? { namespaceRelistPolls: relist } : {}),
});
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => void agent.close().then(() => process.exit(0)));
