// The end-to-end stack for CRI-O scenarios: a registry, a throttling proxy, a CRI-O node stand-in
// (test/kit/harness/crioNode.ts: skopeo pulling into containers-storage in a private mount namespace)
// and a real `pulltrace standalone --runtime crio` reading that node's folders. Everything is
// ended by PID through one ProcessGroup, also when a test fails.
import {
  type CrioNode,
  makeCrioNode,
  ProcessGroup,
  type PulltraceProcess,
  RATE,
  type RegistryHandle,
  startPulltrace,
  startRegistry,
  startThrottleProxy,
  TEST_SERVER_FLAGS,
  type ThrottleProxy,
  waitFor,
} from '../../kit/index.js';

export interface CrioStack {
  group: ProcessGroup;
  registry: RegistryHandle;
  proxy: ThrottleProxy;
  node: CrioNode;
  pulltrace: PulltraceProcess;
}

export async function startCrioStack(
  t: { after(fn: () => unknown): void },
  opts: { flags?: string[]; rate?: number } = {},
): Promise<CrioStack> {
  const group = new ProcessGroup();
  t.after(() => group.close());
  const registry = group.track(await startRegistry(), 'registry');
  const proxy = group.track(
    await startThrottleProxy({ host: '127.0.0.1', port: registry.port }, { bytesPerSec: opts.rate ?? RATE }),
    'proxy',
  );
  const node = await makeCrioNode();
  t.after(() => node.remove());
  const pulltrace = group.track(
    await startPulltrace([
      'standalone',
      ...TEST_SERVER_FLAGS,
      '--db',
      ':memory:',
      '--runtime',
      'crio',
      // No CRI-O here: its socket is absent, so the paths are these settings.
      '--crio-socket',
      `${node.tmpDir}/no-crio.sock`,
      '--crio-tmp-dir',
      node.tmpDir,
      '--crio-storage-root',
      node.storageRoot,
      '--crio-cache-dir',
      node.cacheDir,
      ...(opts.flags ?? []),
    ]),
    'pulltrace',
  );
  await waitFor(() => pulltrace.logs().some((l) => l.component === 'agent' && l.msg === 'agent reporting'), {
    timeoutMs: 15_000,
    what: 'the standalone agent to start polling',
  });
  return { group, registry, proxy, node, pulltrace };
}
