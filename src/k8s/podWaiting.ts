// Which containers of a pod could be waiting on an image pull right now (runtime-facts.md §2).
// Pod status never says "pulling"; a container waits on its image when it is the one the kubelet
// is about to start and its status is waiting with a creating/pull-failure reason.
import { redactSecrets } from '../common/index.js';

export interface WaitingContainer {
  namespace: string;
  podName: string;
  podUid: string;
  nodeName: string;
  container: string;
  init: boolean;
  /** the image as the pod spec wrote it */
  image: string;
  /** waiting.reason, or the kubelet's default when the container has no status yet */
  reason: string;
  message?: string;
}

/** Waiting reasons that mean "the image is not there yet" (creating, or a pull failed). */
export const PULL_WAITING_REASONS: ReadonlySet<string> = new Set([
  'ContainerCreating',
  'PodInitializing',
  'ErrImagePull',
  'ImagePullBackOff',
  // newer kubelets name these pull failures separately (K-IM evalCRIPullErr)
  'RegistryUnavailable',
  'SignatureValidationFailed',
]);

type Obj = Record<string, unknown>;
function obj(v: unknown): Obj {
  return v !== null && typeof v === 'object' ? (v as Obj) : {};
}
function arr(v: unknown): Obj[] {
  return Array.isArray(v) ? v.map(obj) : [];
}
function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

interface ContainerState {
  waiting?: { reason: string; message?: string };
  running: boolean;
  terminated?: { exitCode: number };
}

function stateOf(status: Obj | undefined): ContainerState | undefined {
  if (!status) return undefined;
  const state = obj(status.state);
  if (state.running) return { running: true };
  if (state.terminated) return { running: false, terminated: { exitCode: Number(obj(state.terminated).exitCode ?? -1) } };
  if (state.waiting) {
    const w = obj(state.waiting);
    const waiting: { reason: string; message?: string } = { reason: str(w.reason) };
    if (str(w.message)) waiting.message = redactSecrets(str(w.message));
    return { running: false, waiting };
  }
  return { running: false };
}

/**
 * Containers of a scheduled pod that wait on their image. Init containers run one at a time, so
 * only the first unfinished one can be pulling; regular containers start only once every init
 * container is done — before that they show PodInitializing but wait on the init container,
 * not on an image. A container with no status yet counts as waiting with the kubelet's default
 * reason (PodInitializing when the pod has init containers, else ContainerCreating).
 */
export function waitingContainers(pod: unknown): WaitingContainer[] {
  const p = obj(pod);
  const meta = obj(p.metadata);
  const spec = obj(p.spec);
  const status = obj(p.status);
  const nodeName = str(spec.nodeName);
  if (!nodeName) return [];
  const phase = str(status.phase);
  if (phase === 'Succeeded' || phase === 'Failed') return [];

  const initSpecs = arr(spec.initContainers);
  const appSpecs = arr(spec.containers);
  const defaultReason = initSpecs.length > 0 ? 'PodInitializing' : 'ContainerCreating';
  const initStatus = byName(arr(status.initContainerStatuses));
  const appStatus = byName(arr(status.containerStatuses));
  const base = { namespace: str(meta.namespace), podName: str(meta.name), podUid: str(meta.uid), nodeName };

  const out: WaitingContainer[] = [];
  const waitingOf = (c: Obj, state: ContainerState | undefined, init: boolean): void => {
    // no status yet: the kubelet has not reported this container; it waits with the default reason
    const waiting = state ? state.waiting : { reason: defaultReason };
    if (!waiting || !PULL_WAITING_REASONS.has(waiting.reason)) return;
    const entry: WaitingContainer = { ...base, container: str(c.name), init, image: str(c.image), reason: waiting.reason };
    if (waiting.message !== undefined) entry.message = waiting.message;
    out.push(entry);
  };

  let initDone = conditionTrue(status, 'Initialized') || anyStarted(appStatus);
  if (!initDone) {
    initDone = true;
    for (const c of initSpecs) {
      const state = stateOf(initStatus.get(str(c.name)));
      if (state?.terminated?.exitCode === 0) continue;
      // a restartable init container (sidecar) lets the next one start once it runs
      if (c.restartPolicy === 'Always' && state?.running) continue;
      waitingOf(c, state, true);
      initDone = false;
      break;
    }
  }
  if (!initDone) return out;

  for (const c of initSpecs) {
    // sidecars (restartPolicy Always) restart after init; their image may be pulled again
    if (c.restartPolicy === 'Always') waitingOf(c, stateOf(initStatus.get(str(c.name))), true);
  }
  for (const c of appSpecs) waitingOf(c, stateOf(appStatus.get(str(c.name))), false);
  return out;
}

function byName(statuses: Obj[]): Map<string, Obj> {
  return new Map(statuses.map((s) => [str(s.name), s]));
}

function conditionTrue(status: Obj, type: string): boolean {
  return arr(status.conditions).some((c) => c.type === type && c.status === 'True');
}

// After a node restart init statuses can be gone while app containers already ran.
function anyStarted(statuses: Map<string, Obj>): boolean {
  for (const s of statuses.values()) {
    const state = obj(s.state);
    if (state.running || state.terminated || obj(s.lastState).terminated) return true;
  }
  return false;
}
