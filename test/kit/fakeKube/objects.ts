// Builders for Pod and Event objects shaped like the ones a real API server returns for a
// kubelet-managed pod (runtime-facts.md §1.4 and §2), so tests exercise the real field layout.
import { randomUUID } from 'node:crypto';

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
};

/** State of one container in pod status; `null` = the kubelet has not reported it yet. */
export type ContainerStateInput =
  | { waiting: { reason?: string; message?: string } }
  | { running: { startedAt?: string } }
  | { terminated: { exitCode: number; reason?: string } }
  | null;

export interface ContainerInput {
  name: string;
  image: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** `Always` makes an init container a sidecar */
  restartPolicy?: 'Always';
  /** default: waiting with the kubelet's default reason when the pod is scheduled, else no status */
  state?: ContainerStateInput;
}

export interface PodInput {
  name: string;
  namespace?: string;
  uid?: string;
  /** omitted = not scheduled yet */
  nodeName?: string;
  containers: ContainerInput[];
  initContainers?: ContainerInput[];
  labels?: Record<string, string>;
  /** overrides the computed phase (Pending / Running) */
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  createdAt?: Date;
}

/** Kubernetes timestamps: RFC 3339, seconds precision, UTC. */
export function kubeTime(d: Date = new Date()): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** A Pod as the API server returns it once the scheduler and the kubelet have written to it. */
export function podObject(input: PodInput): KubeObject {
  const namespace = input.namespace ?? 'default';
  const created = kubeTime(input.createdAt);
  const init = input.initContainers ?? [];
  const defaultReason = init.length > 0 ? 'PodInitializing' : 'ContainerCreating';
  const scheduled = input.nodeName !== undefined;

  const stateOf = (c: ContainerInput): ContainerStateInput => {
    if (c.state !== undefined) return c.state;
    return scheduled ? { waiting: { reason: defaultReason } } : null;
  };
  const statusOf = (c: ContainerInput) => {
    const state = stateOf(c);
    if (state === null) return undefined;
    const running = 'running' in state;
    const out: Record<string, unknown> = {
      name: c.name,
      image: c.image,
      imageID: '',
      ready: running,
      restartCount: 0,
      started: running,
      state: normalizeState(state, created),
      lastState: {},
    };
    if (running || 'terminated' in state) {
      out.containerID = `containerd://${randomUUID().replaceAll('-', '')}`;
      out.imageID = `docker.io/library/fake@sha256:${'0'.repeat(64)}`;
    }
    return out;
  };
  const specOf = (c: ContainerInput) => {
    const spec: Record<string, unknown> = {
      name: c.name,
      image: c.image,
      imagePullPolicy: c.imagePullPolicy ?? (/:latest$|^[^:]*$/.test(c.image) ? 'Always' : 'IfNotPresent'),
      resources: {},
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
    };
    if (c.restartPolicy) spec.restartPolicy = c.restartPolicy;
    return spec;
  };

  const initDone = init.every((c) => {
    const s = stateOf(c);
    return s !== null && (('terminated' in s && s.terminated.exitCode === 0) || (c.restartPolicy === 'Always' && 'running' in s));
  });
  const allRunning = input.containers.every((c) => {
    const s = stateOf(c);
    return s !== null && 'running' in s;
  });
  const phase = input.phase ?? (scheduled && allRunning ? 'Running' : 'Pending');
  const names = (cs: ContainerInput[]) => `[${cs.map((c) => c.name).join(' ')}]`;

  const spec: Record<string, unknown> = {
    containers: input.containers.map(specOf),
    dnsPolicy: 'ClusterFirst',
    enableServiceLinks: true,
    preemptionPolicy: 'PreemptLowerPriority',
    priority: 0,
    restartPolicy: 'Always',
    schedulerName: 'default-scheduler',
    securityContext: {},
    serviceAccount: 'default',
    serviceAccountName: 'default',
    terminationGracePeriodSeconds: 30,
    tolerations: [
      { effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 300 },
      { effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 },
    ],
  };
  if (init.length > 0) spec.initContainers = init.map(specOf);
  if (scheduled) spec.nodeName = input.nodeName;

  const status: Record<string, unknown> = { phase, qosClass: 'BestEffort' };
  if (!scheduled) {
    status.conditions = [
      {
        type: 'PodScheduled',
        status: 'False',
        lastProbeTime: null,
        lastTransitionTime: created,
        reason: 'Unschedulable',
        message: '0/1 nodes are available',
      },
    ];
  } else {
    const cond = (type: string, ok: boolean, reason?: string, message?: string) => {
      const c: Record<string, unknown> = { type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: created };
      if (!ok && reason) Object.assign(c, { reason, message });
      return c;
    };
    status.conditions = [
      cond('PodReadyToStartContainers', true),
      cond('Initialized', initDone, 'ContainersNotInitialized', `containers with incomplete status: ${names(init)}`),
      cond('Ready', allRunning, 'ContainersNotReady', `containers with unready status: ${names(input.containers)}`),
      cond('ContainersReady', allRunning, 'ContainersNotReady', `containers with unready status: ${names(input.containers)}`),
      cond('PodScheduled', true),
    ];
    status.hostIP = '10.0.0.11';
    status.hostIPs = [{ ip: '10.0.0.11' }];
    status.startTime = created;
    const initStatuses = init.map(statusOf).filter((s) => s !== undefined);
    const appStatuses = input.containers.map(statusOf).filter((s) => s !== undefined);
    if (initStatuses.length > 0) status.initContainerStatuses = initStatuses;
    if (appStatuses.length > 0) status.containerStatuses = appStatuses;
  }

  const metadata: KubeObject['metadata'] = {
    name: input.name,
    namespace,
    uid: input.uid ?? randomUUID(),
    creationTimestamp: created,
  };
  if (input.labels) metadata.labels = input.labels;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec, status };
}

function normalizeState(state: Exclude<ContainerStateInput, null>, created: string): Record<string, unknown> {
  if ('waiting' in state) {
    const w: Record<string, unknown> = { reason: state.waiting.reason ?? 'ContainerCreating' };
    if (state.waiting.message !== undefined) w.message = state.waiting.message;
    return { waiting: w };
  }
  if ('running' in state) return { running: { startedAt: state.running.startedAt ?? created } };
  return {
    terminated: {
      exitCode: state.terminated.exitCode,
      reason: state.terminated.reason ?? (state.terminated.exitCode === 0 ? 'Completed' : 'Error'),
      startedAt: created,
      finishedAt: created,
      containerID: `containerd://${randomUUID().replaceAll('-', '')}`,
    },
  };
}

export interface KubeletEventInput {
  /** the pod (a podObject result, or its name/namespace/uid) */
  pod: { name: string; namespace?: string; uid?: string } | KubeObject;
  container: string;
  init?: boolean;
  node: string;
  reason: string;
  message: string;
  /** default: Warning for Failed / ErrImageNeverPull / InspectFailed, else Normal */
  type?: 'Normal' | 'Warning';
  count?: number;
  firstTimestamp?: Date;
  lastTimestamp?: Date;
  /** kubelets before 1.28 leave reportingComponent/reportingInstance empty */
  preReportingComponent?: boolean;
  /**
   * The Event's own namespace when it differs from its pod's (a forgery: the API server accepts
   * one naming another namespace's pod when `eventTime` is set, so it is set then)
   */
  eventNamespace?: string;
}

let eventSeq = 0n;

/** A core/v1 Event as the kubelet's event recorder creates it. */
export function kubeletEvent(input: KubeletEventInput): KubeObject {
  const pod = 'metadata' in input.pod ? podRef(input.pod) : input.pod;
  const namespace = pod.namespace ?? 'default';
  const first = input.firstTimestamp ?? new Date();
  const last = input.lastTimestamp ?? first;
  // kubelet names events `<pod>.<hex unix nanos>`
  eventSeq += 1n;
  const nanos = BigInt(first.getTime()) * 1_000_000n + eventSeq;
  const type = input.type ?? (['Failed', 'ErrImageNeverPull', 'InspectFailed'].includes(input.reason) ? 'Warning' : 'Normal');
  const foreign = input.eventNamespace !== undefined && input.eventNamespace !== namespace;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${pod.name}.${nanos.toString(16)}`,
      namespace: input.eventNamespace ?? namespace,
      creationTimestamp: kubeTime(first),
    },
    involvedObject: {
      kind: 'Pod',
      namespace,
      name: pod.name,
      uid: pod.uid ?? '',
      apiVersion: 'v1',
      resourceVersion: '1',
      fieldPath: `spec.${input.init ? 'initContainers' : 'containers'}{${input.container}}`,
    },
    reason: input.reason,
    message: input.message,
    source: { component: 'kubelet', host: input.node },
    firstTimestamp: kubeTime(first),
    lastTimestamp: kubeTime(last),
    count: input.count ?? 1,
    type,
    eventTime: foreign ? first.toISOString().replace('Z', '000Z') : null,
    ...(foreign ? { action: input.reason } : {}),
    reportingComponent: input.preReportingComponent ? '' : 'kubelet',
    reportingInstance: input.preReportingComponent ? '' : input.node,
  };
}

function podRef(pod: KubeObject): { name: string; namespace?: string; uid?: string } {
  const ref: { name: string; namespace?: string; uid?: string } = { name: pod.metadata.name };
  if (pod.metadata.namespace !== undefined) ref.namespace = pod.metadata.namespace;
  if (pod.metadata.uid !== undefined) ref.uid = pod.metadata.uid;
  return ref;
}

/** The events.k8s.io/v1 view of a core/v1 Event (K-EVCONV field mapping). */
export function toEventsV1(core: KubeObject): KubeObject {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: core.metadata,
    eventTime: core.eventTime ?? null,
    reportingController: core.reportingComponent ?? '',
    reportingInstance: core.reportingInstance ?? '',
    action: core.action ?? '',
    reason: core.reason,
    regarding: core.involvedObject,
    note: core.message,
    type: core.type,
    deprecatedSource: core.source,
    deprecatedFirstTimestamp: core.firstTimestamp,
    deprecatedLastTimestamp: core.lastTimestamp,
    deprecatedCount: core.count,
  };
}

/** Formats seconds the way Go's time.Duration.String() does (`599ms`, `1.729s`, `1m21.284s`). */
export function goDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  if (seconds < 1e-3) return `${trim(seconds * 1e6)}µs`;
  if (seconds < 1) return `${trim(seconds * 1e3)}ms`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds - h * 3600) / 60);
  const s = seconds - h * 3600 - m * 60;
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${trim(s)}s`;
}

function trim(n: number): string {
  return String(Number(n.toFixed(9)));
}

/** Kubelet message texts (runtime-facts.md §1.1–1.2), `%q` quoting included. */
export const kubeletMessages = {
  pulling: (image: string) => `Pulling image ${JSON.stringify(image)}`,
  /** `version` picks the message form: 1.25 (`in %v`), 1.27 (with waiting), 1.30 (with size, default) */
  pulled: (image: string, opts: { seconds: number; waitingSeconds?: number; bytes?: number; version?: '1.25' | '1.27' | '1.30' }) => {
    const base = `Successfully pulled image ${JSON.stringify(image)} in ${goDuration(opts.seconds)}`;
    const version = opts.version ?? '1.30';
    if (version === '1.25') return base;
    const waiting = `${base} (${goDuration(opts.waitingSeconds ?? opts.seconds)} including waiting)`;
    if (version === '1.27') return waiting;
    return `${waiting}. Image size: ${opts.bytes ?? 0} bytes.`;
  },
  alreadyPresent: (image: string) => `Container image ${JSON.stringify(image)} already present on machine`,
  failed: (image: string, criError: string) => `Failed to pull image ${JSON.stringify(image)}: ${criError}`,
  errorCompanion: (name: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'InvalidImageName') => `Error: ${name}`,
  backOff: (image: string) => `Back-off pulling image ${JSON.stringify(image)}`,
  neverPull: (image: string) => `Container image ${JSON.stringify(image)} is not present with pull policy of Never`,
};
