// What the correlator does with each kubelet signal, against a real tracker and event bus. The
// Kubernetes side is a small in-memory KubeWatch (the project's own interface; the real client
// against the fake API server is exercised in test/kube): signals in, pull events out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerFacts, KubeSignal, KubeWatch, PodFacts, WaitingPod } from '../../k8s/index.js';
import { createLogger } from '../../log/index.js';
import type { PullEvent, PullEventType } from '../../model/index.js';
import { PullEventBus } from '../events/pullEventBus.js';
import { PullTracker } from '../tracker/pullTracker.js';
import { KubeCorrelator } from './kubeCorrelator.js';

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

function setup() {
  const bus = new PullEventBus();
  const events: PullEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const tracker = new PullTracker(bus, { stallTimeoutMs: 30_000, historyTtlMs: 3_600_000, maxNodes: 10, maxPulls: 100 });
  const kube = new InMemoryKubeWatch();
  const correlator = new KubeCorrelator(kube, tracker, createLogger('silent'), () => T);
  correlator.start();
  const pod = (waitingReason?: string): PodFacts => {
    const container: ContainerFacts = { name: 'app', image: IMAGE, init: false, ...(waitingReason ? { waitingReason } : {}) };
    return { namespace: 'shop', name: 'web-1', uid: 'uid-1', nodeName: NODE, containers: [container] };
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
      T,
    );
  const types = () => events.map((e) => e.type).filter((t) => t.startsWith('pull.')) as PullEventType[];
  return { tracker, kube, events, pod, startPull, types };
}

test('each kubelet signal and the pull events it publishes', () => {
  const failed = 'Failed to pull image "app:1": rpc error: code = NotFound desc = not found';
  const table: Array<{
    what: string;
    before: (s: ReturnType<typeof setup>) => void;
    signal: Partial<KubeSignal> & Pick<KubeSignal, 'kind' | 'message'>;
    events: PullEventType[];
    check?: (s: ReturnType<typeof setup>) => void;
  }> = [
    {
      what: 'Failed on an active pull: it fails, with kubelet’s text',
      before: (s) => s.startPull(),
      signal: { kind: 'pullFailed', message: failed },
      events: ['pull.failed'],
      check: (s) => assert.equal(s.tracker.list({}, T, false)[0]?.failureReason, 'not_found'),
    },
    {
      what: 'Failed after the agent failed it: the error is refined as pull.progress, once',
      before: (s) => s.startPull('failed', 'connection reset'),
      signal: { kind: 'pullFailed', message: failed },
      events: ['pull.progress'],
      check: (s) => assert.equal(s.events.at(-1)?.pull?.error, failed),
    },
    {
      what: 'Pulled on an active pull: completed, with kubelet’s figures on that one event',
      before: (s) => s.startPull(),
      signal: { kind: 'pulled', message: 'Successfully pulled', pullSeconds: 2, pullWithWaitingSeconds: 3 },
      events: ['pull.completed'],
      check: (s) => assert.equal(s.events.at(-1)?.pull?.waitSeconds, 1),
    },
    {
      what: 'Pulled after the agent completed it: kubelet’s figures as pull.progress',
      before: (s) => s.startPull('completed'),
      signal: { kind: 'pulled', message: 'Successfully pulled', pullSeconds: 2, imageBytes: 99 },
      events: ['pull.progress'],
      check: (s) => assert.equal(s.events.at(-1)?.pull?.kubeletImageBytes, 99),
    },
    {
      what: 'a backlog event (from before this server watched) changes nothing',
      before: (s) => s.startPull(),
      signal: { kind: 'pullFailed', message: failed, backlog: true },
      events: [],
    },
    {
      what: 'Failed with no pull, its pod showing ErrImagePull: a failed pull is created',
      before: (s) => s.kube.apply(s.pod('ErrImagePull')),
      signal: { kind: 'pullFailed', message: failed },
      events: ['pull.started', 'pull.failed'],
    },
    {
      what: 'Failed with no pull and a pod not failing: held, nothing yet',
      before: (s) => s.kube.apply(s.pod()),
      signal: { kind: 'pullFailed', message: failed },
      events: [],
    },
  ];
  for (const row of table) {
    const s = setup();
    row.before(s);
    const before = s.types().length;
    s.kube.signal(row.signal);
    assert.deepEqual(s.types().slice(before), row.events, row.what);
    row.check?.(s);
  }
});

test('a pod waiting on the pull is attached to it, and the change published', () => {
  const s = setup();
  s.startPull();
  s.kube.apply(s.pod('ContainerCreating'));
  const last = s.events.at(-1);
  assert.equal(last?.type, 'pull.progress');
  assert.deepEqual(last?.pull?.pods, [{ namespace: 'shop', podName: 'web-1', container: 'app', image: IMAGE }]);
});
