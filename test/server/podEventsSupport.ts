// Shared steps of the pod Event tests: a pod waiting on a node, a long pull of its image driven by
// synthetic agent reports (a 40 s pull in a few reports: startedAt 40 s ago, progress jumping from
// milestone to milestone), and the writes the fake API server saw for one pod.
import type { EventWrite, FakeKubeApi, KubeObject } from '../kit/index.js';
import { FakeKubelet, layer, MiB, postReport, pullEntry, waitFor } from '../kit/index.js';

export interface WaitingPod {
  pod: KubeObject;
  namespace: string;
  name: string;
  image: string;
  node: string;
}

/** Schedules a pod with one container on `node`; kubelet says it is pulling. */
export function waitingPod(
  kube: FakeKubeApi,
  node: string,
  namespace: string,
  name: string,
  image: string,
  labels: Record<string, string> = {},
): WaitingPod {
  const kubelet = new FakeKubelet(kube, node);
  const pod = kubelet.schedule({ name, namespace, labels, containers: [{ name: 'app', image }] });
  kubelet.pulling(pod, 'app');
  return { pod, namespace, name, image, node };
}

const LAYERS = 4;
const LAYER_BYTES = 64 * MiB;

/** The report of `images` on `node` at `percent` (100: completed), every pull started `startedAt`. */
function report(node: string, images: string[], percent: number, startedAt: string) {
  return {
    nodeName: node,
    pulls: images.map((image, i) => {
      const done = Math.round((LAYERS * LAYER_BYTES * percent) / 100);
      const layers = Array.from({ length: LAYERS }, (_, l) =>
        layer(`sha256:${node}-${i}-layer-${l}`, LAYER_BYTES, Math.max(0, Math.min(LAYER_BYTES, done - l * LAYER_BYTES))),
      );
      return pullEntry(image, `sha256:${node}-${i}-manifest`, layers, {
        startedAt,
        ...(percent >= 100 ? { status: 'completed' as const } : {}),
      });
    }),
  };
}

/**
 * Reports the pulls of `images` on `node` from 0 % to done, one report per `steps` entry;
 * `afterStep` is awaited after each (to let a write land before the next milestone replaces it).
 */
export async function drivePulls(
  baseUrl: string,
  node: string,
  images: string[],
  steps = [0, 10, 30, 55, 80, 95, 100],
  afterStep: (percent: number) => Promise<unknown> = async () => {},
): Promise<void> {
  const startedAt = new Date(Date.now() - 40_000).toISOString();
  for (const percent of steps) {
    const res = await postReport(baseUrl, report(node, images, percent, startedAt));
    if (res.status !== 200) throw new Error(`report at ${percent}% answered ${res.status}: ${await res.text()}`);
    await afterStep(percent);
  }
}

/** An afterStep that waits, after each milestone step, until the pod has had that many writes. */
export function awaitMilestoneWrites(kube: FakeKubeApi, p: WaitingPod, milestoneSteps: number[]): (percent: number) => Promise<unknown> {
  return async (percent) => {
    const n = milestoneSteps.indexOf(percent) + 1;
    if (n === 0) return;
    await waitFor(() => writesFor(kube, p).length >= n, { timeoutMs: 20_000, what: `write ${n} for ${p.name} (at ${percent}%)` });
  };
}

/** The PullProgress Event of a pod, once its message matches `text`. */
export async function eventSaying(kube: FakeKubeApi, p: WaitingPod, text: RegExp, timeoutMs = 30_000): Promise<KubeObject> {
  return waitFor(() => podEvents(kube, p).find((e) => text.test(String(e.message))), {
    timeoutMs,
    what: `a PullProgress Event of ${p.namespace}/${p.name} saying ${text}`,
  });
}

/** Every PullProgress Event object about the pod. */
export function podEvents(kube: FakeKubeApi, p: WaitingPod): KubeObject[] {
  return kube.writes.eventWrites
    .filter((w) => w.namespace === p.namespace && w.name.startsWith(`${p.name}.pulltrace-`))
    .map((w) => w.name)
    .filter((n, i, all) => all.indexOf(n) === i)
    .map((n) => kube.get('events', p.namespace, n))
    .filter((e): e is KubeObject => e !== undefined && e.reason === 'PullProgress');
}

/** The Event writes about one pod. */
export function writesFor(kube: FakeKubeApi, p: WaitingPod): EventWrite[] {
  return kube.writes.eventWrites.filter((w) => w.namespace === p.namespace && w.name.startsWith(`${p.name}.pulltrace-`));
}
