import { type Static, Type } from '@sinclair/typebox';
import { ByteCount, StringEnum, Timestamp } from './common.js';
import { LayerStatusSchema } from './layerStatus.js';

export const PullStateSchema = StringEnum(['pulling', 'stalled', 'completed', 'failed']);
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
  },
  { $id: 'PullStatus' },
);
export type PullStatus = Static<typeof PullStatusSchema>;
