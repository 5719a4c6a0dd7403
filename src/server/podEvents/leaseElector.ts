// The Lease loop (coordination.k8s.io/v1, in the server's namespace): read the lease every third
// of its duration, create, renew or take it over (leaseDecision.ts), and count as leader only while
// the last renewal is recent. A conflicting write (409: another replica wrote first) means not
// leader. On stop the leader releases the lease, so another replica takes over at its next read.
import type { Logger } from '../../log/index.js';
import { microTime } from './eventObject.js';
import type { KubeRequest } from './kubeRequest.js';
import { type LeaseView, leaseAction, type Observed, observe } from './leaseDecision.js';

export const LEASE_NAME = 'pulltrace-pod-events';
export const LEASE_DURATION_MS = 15_000;

export interface LeaderElector {
  isLeader(): boolean;
  stop(): Promise<void>;
}

export interface ElectorOptions {
  request: KubeRequest;
  namespace: string;
  identity: string;
  log: Logger;
  onChange: (leader: boolean) => void;
  durationMs?: number;
  now?: () => number;
}

type Obj = Record<string, unknown>;

export function startLeaseElector(o: ElectorOptions): LeaderElector {
  const durationMs = o.durationMs ?? LEASE_DURATION_MS;
  const retryMs = Math.max(200, Math.floor(durationMs / 3));
  // a leader that could not renew for this long stops writing before anyone may take over
  const renewDeadlineMs = Math.floor((durationMs * 2) / 3);
  const now = o.now ?? Date.now;
  const path = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(o.namespace)}/leases`;
  let leader = false;
  let lastRenew = 0;
  let observed: Observed | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let lastError = '';

  const setLeader = (value: boolean) => {
    if (value === leader) return;
    leader = value;
    o.log.info(
      { lease: `${o.namespace}/${LEASE_NAME}`, identity: o.identity },
      value ? 'pod events: this replica writes them (lease held)' : 'pod events: another replica writes them (lease not held)',
    );
    o.onChange(value);
  };
  const failed = (what: string, status: number, body: Obj) => {
    const text = `${what}: ${status || 'no answer'} ${String(body.message ?? '')}`;
    if (text !== lastError) o.log.warn({ lease: `${o.namespace}/${LEASE_NAME}` }, `pod events: lease ${text}`);
    lastError = text;
  };
  const spec = (lease: Obj | undefined, takeover: boolean): Obj => {
    const old = (lease?.spec ?? {}) as Obj;
    const at = microTime(new Date(now()));
    const acquired = takeover || !lease;
    return {
      ...old,
      holderIdentity: o.identity,
      leaseDurationSeconds: Math.ceil(durationMs / 1000),
      renewTime: at,
      acquireTime: acquired ? at : old.acquireTime,
      leaseTransitions: Number(old.leaseTransitions ?? 0) + (takeover ? 1 : 0),
    };
  };

  const round = async () => {
    const read = await o.request('GET', `${path}/${LEASE_NAME}`);
    const t = now();
    let lease: Obj | undefined;
    if (read.status === 200) lease = read.body;
    else if (read.status !== 404) {
      failed('read', read.status, read.body);
      if (leader && t - lastRenew >= renewDeadlineMs) setLeader(false);
      return;
    }
    const view = lease ? leaseView(lease) : undefined;
    observed = observe(view, observed, t);
    const action = leaseAction(view, o.identity, observed, t, durationMs);
    if (action === 'wait') {
      setLeader(false);
      return;
    }
    const body = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      ...(lease ?? {}),
      metadata: { ...((lease?.metadata as Obj) ?? {}), name: LEASE_NAME, namespace: o.namespace },
      spec: spec(lease, action === 'takeover'),
    };
    const wrote = action === 'create' ? await o.request('POST', path, body) : await o.request('PUT', `${path}/${LEASE_NAME}`, body);
    if (wrote.status === 200 || wrote.status === 201) {
      lastRenew = now();
      lastError = '';
      observed = observe(leaseView(wrote.body), observed, lastRenew);
      setLeader(true);
    } else if (wrote.status === 409) {
      setLeader(false); // another replica wrote first
    } else {
      failed(action, wrote.status, wrote.body);
      if (leader && now() - lastRenew >= renewDeadlineMs) setLeader(false);
    }
  };
  const loop = () => {
    if (stopped) return;
    running = round()
      .catch((err) => failed('round', 0, { message: (err as Error).message }))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, retryMs);
      });
  };
  loop();

  return {
    isLeader: () => leader && now() - lastRenew < renewDeadlineMs,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      if (!leader) return;
      leader = false;
      // released: the next replica to read it takes it at once
      const read = await o.request('GET', `${path}/${LEASE_NAME}`);
      if (read.status !== 200 || leaseView(read.body).holder !== o.identity) return;
      const spec = { ...((read.body.spec as Obj) ?? {}), holderIdentity: '', leaseDurationSeconds: 1 };
      await o.request('PUT', `${path}/${LEASE_NAME}`, { ...read.body, spec });
    },
  };
}

function leaseView(lease: Obj): LeaseView {
  const spec = (lease.spec ?? {}) as Obj;
  const meta = (lease.metadata ?? {}) as Obj;
  return {
    holder: String(spec.holderIdentity ?? ''),
    renewTime: String(spec.renewTime ?? ''),
    resourceVersion: String(meta.resourceVersion ?? ''),
  };
}
