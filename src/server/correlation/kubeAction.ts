// What the Kubernetes correlation does to pulls, as data: a kubelet failure, a refined error, a
// failed pull that only kubelet saw, a completion with kubelet's figures, an annotation. The one
// shape end to end: kubeletDecision.ts decides it, the correlator appends it to the report log,
// the log carries it, and the applier applies it here. With a shared report log (replicas) the action
// goes through the log first, so every replica applies the same actions in the same order, under
// the same event ids, like reports and ticks (natsReportLog.ts): a viewer that moves to another
// replica misses no transition that came from kubelet.
import { MAX_BYTES, NODE_NAME_PATTERN, REPORT_LIMITS } from '../../model/index.js';
import { CapacityError, type KubeletFigures, type PullTracker } from '../tracker/pullTracker.js';

/** The kubelet Event occurrence that caused an action (`<event uid>#<count>`): the same on every replica. */
interface Cause {
  cause?: string;
}

/**
 * `rank`: how informative the error text is (kubeletDecision.ts messageRank), kept on the pull so a
 * bare "Error: ErrImagePull" never replaces a reason; absent in actions logged by earlier releases.
 */
export type KubeAction = Cause &
  (
    | { kind: 'fail'; pullId: string; message: string; rank?: number }
    | { kind: 'refine'; pullId: string; message: string; rank?: number }
    | { kind: 'createFailed'; nodeName: string; imageRef: string; message: string; rank: number }
    | ({ kind: 'complete'; pullId: string } & KubeletFigures)
    | ({ kind: 'annotate'; pullId: string } & KubeletFigures)
  );

/**
 * Applies an action; returns the pull it concerned (the one created, for createFailed), undefined
 * when a pull to create finds no room (the same caps as reports: PULLTRACE_MAX_NODES, …).
 */
export function applyKubeAction(tracker: PullTracker, a: KubeAction, now: number): string | undefined {
  switch (a.kind) {
    case 'fail':
      tracker.failPull(a.pullId, a.message, now, undefined, a.rank);
      return a.pullId;
    case 'refine':
      tracker.refineError(a.pullId, a.message, now, a.rank);
      return a.pullId;
    case 'createFailed': {
      // Through the log, a replica may decide a second creation (kubelet writes more than one
      // Event for a failure) before the first is applied: the failed pull it made stands.
      const current = tracker.pullsOn(a.nodeName).find((p) => p.key === a.imageRef);
      if (current?.status === 'failed') return current.id;
      let rec: ReturnType<PullTracker['ensurePull']>;
      try {
        rec = tracker.ensurePull(a.nodeName, a.imageRef, now);
      } catch (err) {
        if (err instanceof CapacityError) return undefined;
        throw err;
      }
      tracker.failPull(rec.id, a.message, now, undefined, a.rank);
      return rec.id;
    }
    case 'complete':
      tracker.completePull(a.pullId, now, a);
      return a.pullId;
    case 'annotate':
      tracker.annotateKubelet(a.pullId, a, now);
      return a.pullId;
  }
}

/**
 * An action read back from the log, checked field by field (the log is shared; trust nothing):
 * texts within the limits of a report's (an error, an image reference), a node name the report
 * schema would take, ranks and figures finite and not negative.
 */
export function parseKubeAction(text: string): KubeAction | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const str = (k: string, max: number) => typeof o[k] === 'string' && (o[k] as string).length > 0 && (o[k] as string).length <= max;
  const num = (k: string) => o[k] === undefined || isCount(o[k]);
  if (o.cause !== undefined && !str('cause', MAX_ID_CHARS)) return undefined;
  switch (o.kind) {
    case 'fail':
    case 'refine':
      return str('pullId', MAX_ID_CHARS) && str('message', REPORT_LIMITS.errorChars) && num('rank') ? (v as KubeAction) : undefined;
    case 'createFailed':
      return str('nodeName', REPORT_LIMITS.nodeNameChars) &&
        NODE_NAME.test(o.nodeName as string) &&
        str('imageRef', REPORT_LIMITS.imageRefChars) &&
        str('message', REPORT_LIMITS.errorChars) &&
        isCount(o.rank)
        ? (v as KubeAction)
        : undefined;
    case 'complete':
    case 'annotate':
      return str('pullId', MAX_ID_CHARS) && num('pullSeconds') && num('imageBytes') && num('withWaitingSeconds')
        ? (v as KubeAction)
        : undefined;
    default:
      return undefined;
  }
}

/** Pull ids are 16 hex characters and causes `<event uid>#<count>`: far below this. */
const MAX_ID_CHARS = 256;
const NODE_NAME = new RegExp(NODE_NAME_PATTERN);

function isCount(x: unknown): boolean {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= MAX_BYTES;
}
