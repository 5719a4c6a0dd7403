// The part of a Pod that correlation reads, and nothing else. The informer keeps every pod of the
// cluster (up to 150,000): a full Pod object (managed fields, env, volumes, labels, annotations,
// conditions) is several KB in memory, what correlation needs is a few hundred bytes: identity
// (name, namespace, uid, resourceVersion for the informer's bookkeeping), node, containers' names
// and images, and the container states. Every pod keeps them, waiting or not — a kubelet Event is
// believed only when its pod's node and images agree (podIndex.ts), and a `Pulled` event can come
// after the container started. `waitingContainers` of the slim pod is always that of the full one.

type Obj = Record<string, unknown>;
function obj(v: unknown): Obj {
  return v !== null && typeof v === 'object' ? (v as Obj) : {};
}
function arr(v: unknown): Obj[] {
  return Array.isArray(v) ? v.map(obj) : [];
}

function slimMetadata(meta: Obj): Obj {
  const out: Obj = {};
  for (const k of ['name', 'namespace', 'uid', 'resourceVersion']) if (meta[k] !== undefined) out[k] = meta[k];
  return out;
}

function slimContainer(c: Obj): Obj {
  const out: Obj = { name: c.name, image: c.image };
  if (c.restartPolicy !== undefined) out.restartPolicy = c.restartPolicy;
  return out;
}

function slimState(state: Obj): Obj {
  if (state.running) return { running: {} };
  if (state.terminated) return { terminated: { exitCode: obj(state.terminated).exitCode } };
  if (state.waiting) {
    const w = obj(state.waiting);
    const waiting: Obj = { reason: w.reason };
    if (w.message !== undefined) waiting.message = w.message;
    return { waiting };
  }
  return {};
}

function slimStatus(s: Obj): Obj {
  return { name: s.name, state: slimState(obj(s.state)), lastState: obj(s.lastState).terminated ? { terminated: {} } : {} };
}

/** A copy of `pod` with only what correlation reads (see the file comment). */
export function slimPod<T>(pod: T): T {
  const p = obj(pod);
  const metadata = slimMetadata(obj(p.metadata));
  const spec = obj(p.spec);
  const slimSpec: Obj = { nodeName: spec.nodeName, containers: arr(spec.containers).map(slimContainer) };
  if (spec.initContainers !== undefined) slimSpec.initContainers = arr(spec.initContainers).map(slimContainer);
  const status = obj(p.status);
  const slimStat: Obj = {
    phase: status.phase,
    // only the Initialized condition is read (init over?)
    conditions: arr(status.conditions)
      .filter((c) => c.type === 'Initialized')
      .map((c) => ({ type: c.type, status: c.status })),
  };
  if (status.containerStatuses !== undefined) slimStat.containerStatuses = arr(status.containerStatuses).map(slimStatus);
  if (status.initContainerStatuses !== undefined) slimStat.initContainerStatuses = arr(status.initContainerStatuses).map(slimStatus);
  return { metadata, spec: slimSpec, status: slimStat } as T;
}
