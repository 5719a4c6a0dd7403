// Every watched pod, slimmed to what identity checks need: its node, and each container's image
// and waiting reason. Agent tokens name their pod (not their node) before Kubernetes 1.30, and a
// kubelet Event is believed only when the pod it names agrees (its node, its image, its status).
// Pod status is written by the pod's own kubelet (NodeRestriction), so it is the trusted side.

export interface ContainerFacts {
  name: string;
  /** the image as the pod spec wrote it */
  image: string;
  init: boolean;
  /** state.waiting.reason of its status, when waiting */
  waitingReason?: string;
  /** its status shows it running or terminated (its image is on the node) */
  started?: boolean;
}

export interface PodFacts {
  namespace: string;
  name: string;
  uid: string;
  /** spec.nodeName; '' while unscheduled */
  nodeName: string;
  containers: ContainerFacts[];
}

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

/** The facts of one Pod object (core/v1 shape); undefined without a name. */
export function podFacts(pod: unknown): PodFacts | undefined {
  const p = obj(pod);
  const meta = obj(p.metadata);
  const name = str(meta.name);
  if (!name) return undefined;
  const spec = obj(p.spec);
  const status = obj(p.status);
  const waiting = new Map<string, string>();
  const started = new Set<string>();
  for (const s of [...arr(status.initContainerStatuses), ...arr(status.containerStatuses)]) {
    const state = obj(s.state);
    const reason = str(obj(state.waiting).reason);
    if (reason) waiting.set(str(s.name), reason);
    if (state.running || state.terminated) started.add(str(s.name));
  }
  const containers: ContainerFacts[] = [];
  const add = (c: Obj, init: boolean) => {
    const facts: ContainerFacts = { name: str(c.name), image: str(c.image), init };
    const reason = waiting.get(facts.name);
    if (reason) facts.waitingReason = reason;
    if (started.has(facts.name)) facts.started = true;
    containers.push(facts);
  };
  for (const c of arr(spec.initContainers)) add(c, true);
  for (const c of arr(spec.containers)) add(c, false);
  return { namespace: str(meta.namespace), name, uid: str(meta.uid), nodeName: str(spec.nodeName), containers };
}

export class PodIndex {
  private readonly pods = new Map<string, PodFacts>();

  set(pod: unknown): void {
    const facts = podFacts(pod);
    if (facts) this.pods.set(`${facts.namespace}/${facts.name}`, facts);
  }

  remove(pod: unknown): void {
    const facts = podFacts(pod);
    if (facts) this.pods.delete(`${facts.namespace}/${facts.name}`);
  }

  get(namespace: string, name: string): PodFacts | undefined {
    return this.pods.get(`${namespace}/${name}`);
  }

  get size(): number {
    return this.pods.size;
  }
}
