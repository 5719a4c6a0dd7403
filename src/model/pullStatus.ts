import { type Static, Type } from '@sinclair/typebox';
import { ByteCount, StringEnum, Timestamp } from './common.js';
import { FailureReasonSchema } from './failureReason.js';
import { LayerStatusSchema } from './layerStatus.js';

export const PullStateSchema = StringEnum(['pulling', 'stalled', 'unpacking', 'completed', 'failed'], {
  description:
    'pulling: downloading; stalled: no byte progress for STALL_TIMEOUT; unpacking: every blob is on the node, containerd is extracting the layers; completed; failed',
});
export type PullState = Static<typeof PullStateSchema>;

/** A pod whose container waits for this pull. */
export const PodRefSchema = Type.Object({
  namespace: Type.String(),
  podName: Type.String(),
  container: Type.String(),
  image: Type.String(),
});
export type PodRef = Static<typeof PodRefSchema>;

export const PullStatusSchema = Type.Object(
  {
    id: Type.String(),
    nodeName: Type.String(),
    imageRef: Type.String(),
    status: PullStateSchema,
    totalBytes: ByteCount,
    downloadedBytes: ByteCount,
    cachedBytes: ByteCount,
    bytesPerSec: Type.Number({ minimum: 0 }),
    etaSeconds: Type.Optional(Type.Number({ minimum: 0 })),
    percent: Type.Number({ minimum: 0, maximum: 100 }),
    layerCount: Type.Integer({ minimum: 0 }),
    layersDone: Type.Integer({ minimum: 0 }),
    startedAt: Timestamp,
    completedAt: Type.Optional(Type.Union([Timestamp, Type.Null()])),
    error: Type.Optional(Type.String()),
    pods: Type.Array(PodRefSchema),
    layers: Type.Optional(Type.Array(LayerStatusSchema)),
    totalKnown: Type.Boolean(),
    manifestDigest: Type.Optional(Type.String()),
    /** new: seconds kubelet reported for a successful pull ("Successfully pulled image … in 1.2s") */
    kubeletPullSeconds: Type.Optional(Type.Number({ minimum: 0 })),
    /** new: image size kubelet reported for a successful pull (Kubernetes 1.30+) */
    kubeletImageBytes: Type.Optional(ByteCount),
    /** new: layers of the image the agent left out of its report (image over the report's layer limit); totals cover the listed layers */
    layersOmitted: Type.Optional(Type.Integer({ minimum: 0 })),
    /** new: when every blob was on the node and unpacking began (status `unpacking` and after) */
    unpackStartedAt: Type.Optional(Timestamp),
    /** new: status `unpacking`: digest of the layer containerd is applying, when the agent can tell */
    unpackingLayer: Type.Optional(Type.String()),
    /** new: seconds the pull queued in the kubelet before it started (kubelet's "… including waiting" minus the pull time) */
    waitSeconds: Type.Optional(Type.Number({ minimum: 0 })),
    /** new: the kind of failure of a failed pull, for dashboards and alerts (the text is in `error`) */
    failureReason: Type.Optional(FailureReasonSchema),
    /** new: a pulling pull whose ETA exceeds PULLTRACE_SLOW_ETA or whose rate stayed under PULLTRACE_SLOW_RATE for a minute */
    slow: Type.Optional(Type.Boolean()),
    /** new: the cluster whose node pulls (PULLTRACE_CLUSTER of the server that took the report) */
    cluster: Type.Optional(Type.String({ maxLength: 63 })),
  },
  { $id: 'PullStatus' },
);
export type PullStatus = Static<typeof PullStatusSchema>;
