// Classifies kubelet image Events (core/v1 or events.k8s.io/v1 shape) by message prefix, because
// the reasons `Failed` and `BackOff` are shared with container-lifecycle events
// (runtime-facts.md §1.1). The message formats of Kubernetes 1.18–1.35 are all accepted (§1.2).
import { parseDurationSeconds, redactSecrets } from '../common/index.js';

export type KubeletEventKind =
  | 'pulling'
  | 'pulled'
  | 'alreadyPresent'
  | 'pullFailed'
  | 'errorCompanion'
  | 'backOff'
  | 'neverPull'
  | 'inspectFailed'
  | 'other';

export interface KubeletEvent {
  kind: KubeletEventKind;
  /** node the kubelet runs on (source.host) */
  nodeName: string;
  /** the pod's namespace (involvedObject.namespace, else the Event's own) */
  namespace: string;
  /** the Event object's own namespace (metadata.namespace): where its author may create Events */
  eventNamespace: string;
  podName: string;
  podUid: string;
  /** container name from the field path; '' when the path has no name */
  container: string;
  init: boolean;
  /** the image exactly as the pod spec wrote it (unquoted); '' when the message names none */
  image: string;
  /** the kubelet's message, without the aggregation prefix */
  message: string;
  reason: string;
  /** pull time (the first duration of `Successfully pulled image … in …`) */
  pullSeconds?: number;
  /** time since `Pulling`, including the queue wait (1.26+) */
  pullWithWaitingSeconds?: number;
  /** `Image size: N bytes.` (1.30+) */
  imageBytes?: number;
  /** kubelet's error name: ErrImagePull, ImagePullBackOff, ErrImageNeverPull, InvalidImageName, … */
  errorName?: string;
  /** when it (last) happened, ms since the epoch */
  at: number;
  /** the Event object's uid (stable across count++ repeats) */
  eventUid: string;
  /** occurrences so far (core/v1 count, deprecatedCount or series.count); 1 when unset */
  count: number;
}

const AGGREGATE_PREFIX = '(combined from similar events): ';
const ERROR_NAMES = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'ErrImageNeverPull',
  'InvalidImageName',
  'ImageInspectError',
  'RegistryUnavailable',
  'SignatureValidationFailed',
]);

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return v !== null && typeof v === 'object' ? (v as Obj) : {};
}
function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
// The client library turns list items' timestamps into Date objects; watch objects keep strings.
function timeMs(v: unknown): number | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime();
  if (typeof v === 'string' && v !== '') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

/**
 * Reads a kubelet Event about a pod's container. Returns undefined for events not recorded by
 * the kubelet or not about a Pod; kind `other` for kubelet events that are not about images.
 */
export function parseKubeletEvent(input: unknown, now = Date.now()): KubeletEvent | undefined {
  const ev = obj(input);
  const meta = obj(ev.metadata);
  // events.k8s.io/v1 renames: regarding, note, deprecatedSource, deprecatedCount, deprecated*Timestamp.
  const involved = obj(ev.involvedObject ?? ev.regarding);
  const source = obj(ev.source ?? ev.deprecatedSource);
  const component = str(source.component) || str(ev.reportingComponent) || str(ev.reportingController);
  if (component !== 'kubelet') return undefined;
  if (involved.kind !== undefined && involved.kind !== 'Pod') return undefined;
  const nodeName = str(source.host) || str(ev.reportingInstance);

  const raw = str(ev.message ?? ev.note);
  // Redacted here, where kubelet's text enters: pre-signed URLs and tokens never reach state, logs or clients.
  const message = redactSecrets(raw.startsWith(AGGREGATE_PREFIX) ? raw.slice(AGGREGATE_PREFIX.length) : raw);
  const { container, init } = containerOf(str(involved.fieldPath));
  const series = obj(ev.series);
  const count = Number(ev.count ?? ev.deprecatedCount ?? series.count ?? 1) || 1;
  const at =
    timeMs(series.lastObservedTime) ??
    timeMs(ev.lastTimestamp ?? ev.deprecatedLastTimestamp) ??
    timeMs(ev.eventTime) ??
    timeMs(ev.firstTimestamp ?? ev.deprecatedFirstTimestamp) ??
    timeMs(meta.creationTimestamp) ??
    now;

  const c = classifyMessage(message);
  // built field by field (not spread) so every result has one shape: cheaper for V8
  const out: KubeletEvent = {
    kind: c.kind,
    nodeName,
    namespace: str(involved.namespace) || str(meta.namespace),
    eventNamespace: str(meta.namespace),
    podName: str(involved.name),
    podUid: str(involved.uid),
    container,
    init,
    image: c.image,
    message,
    reason: str(ev.reason),
    at,
    eventUid: str(meta.uid) || `${str(meta.namespace)}/${str(meta.name)}`,
    count,
  };
  if (c.pullSeconds !== undefined) out.pullSeconds = c.pullSeconds;
  if (c.pullWithWaitingSeconds !== undefined) out.pullWithWaitingSeconds = c.pullWithWaitingSeconds;
  if (c.imageBytes !== undefined) out.imageBytes = c.imageBytes;
  if (c.errorName !== undefined) out.errorName = c.errorName;
  return out;
}

/** `spec.containers{app}` → app; `spec.initContainers{setup}` → setup, init. */
export function containerOf(fieldPath: string): { container: string; init: boolean } {
  const m = /^spec\.(containers|initContainers|ephemeralContainers)\{(.*)\}$/.exec(fieldPath);
  if (m) return { container: m[2] as string, init: m[1] === 'initContainers' };
  return { container: '', init: fieldPath.startsWith('spec.initContainers') };
}

type Classified = Pick<KubeletEvent, 'kind' | 'image' | 'pullSeconds' | 'pullWithWaitingSeconds' | 'imageBytes' | 'errorName'>;

/** The kind and details of a kubelet message (aggregation prefix already removed). */
export function classifyMessage(message: string): Classified {
  const pulling = quotedAfter(message, 'Pulling image ');
  if (pulling) return { kind: 'pulling', image: pulling.value };

  const pulled = quotedAfter(message, 'Successfully pulled image ');
  if (pulled) return { kind: 'pulled', image: pulled.value, ...pulledDetails(pulled.rest) };

  const container = quotedAfter(message, 'Container image ');
  if (container) {
    if (container.rest.startsWith(' already present on machine')) return { kind: 'alreadyPresent', image: container.value };
    if (container.rest.startsWith(' is not present with pull policy of Never')) {
      return { kind: 'neverPull', image: container.value, errorName: 'ErrImageNeverPull' };
    }
  }

  const failed = quotedAfter(message, 'Failed to pull image ');
  if (failed) return { kind: 'pullFailed', image: failed.value, errorName: 'ErrImagePull' };

  const backOff = quotedAfter(message, 'Back-off pulling image ');
  if (backOff) return { kind: 'backOff', image: backOff.value, errorName: 'ImagePullBackOff' };

  const badTag = quotedAfter(message, 'Failed to apply default image tag ');
  if (badTag) return { kind: 'inspectFailed', image: badTag.value, errorName: 'InvalidImageName' };
  const inspect = quotedAfter(message, 'Failed to inspect image ');
  if (inspect) return { kind: 'inspectFailed', image: inspect.value, errorName: 'ImageInspectError' };

  const companion = /^Error: (\w+)$/.exec(message);
  if (companion && ERROR_NAMES.has(companion[1] as string)) {
    return { kind: 'errorCompanion', image: '', errorName: companion[1] as string };
  }
  return { kind: 'other', image: '' };
}

// ` in 1.729s (1.729s including waiting). Image size: 543804759 bytes.` and older shorter forms.
function pulledDetails(rest: string): Pick<KubeletEvent, 'pullSeconds' | 'pullWithWaitingSeconds' | 'imageBytes'> {
  const out: Pick<KubeletEvent, 'pullSeconds' | 'pullWithWaitingSeconds' | 'imageBytes'> = {};
  const m = /^ in (\S+?)(?: \((\S+) including waiting\))?(?:\. |\.?$)/.exec(rest);
  if (m) {
    const pull = parseDurationSeconds(m[1] as string);
    if (pull !== undefined) out.pullSeconds = pull;
    if (m[2] !== undefined) {
      const waiting = parseDurationSeconds(m[2]);
      if (waiting !== undefined) out.pullWithWaitingSeconds = waiting;
    }
  }
  const size = /Image size: (\d+) bytes/.exec(rest);
  if (size) out.imageBytes = Number(size[1]);
  return out;
}

/** The Go %q string right after `prefix`, unquoted, and the text after it. */
function quotedAfter(message: string, prefix: string): { value: string; rest: string } | undefined {
  if (!message.startsWith(prefix)) return undefined;
  return unquoteGo(message.slice(prefix.length));
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

/** Reads a Go double-quoted string literal at the start of `text`. */
export function unquoteGo(text: string): { value: string; rest: string } | undefined {
  if (text[0] !== '"') return undefined;
  let value = '';
  let i = 1;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '"') return { value, rest: text.slice(i + 1) };
    if (c !== '\\') {
      value += c;
      i += 1;
      continue;
    }
    const e = text[i + 1];
    if (e === undefined) return undefined;
    if (SIMPLE_ESCAPES[e] !== undefined) {
      value += SIMPLE_ESCAPES[e];
      i += 2;
      continue;
    }
    const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (width === 0) return undefined;
    const hex = text.slice(i + 2, i + 2 + width);
    if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) return undefined;
    value += String.fromCodePoint(Number.parseInt(hex, 16));
    i += 2 + width;
  }
  return undefined;
}
