import { type Static, Type } from '@sinclair/typebox';
import { ByteCount, StringEnum } from './common.js';
import { FailureReasonSchema } from './failureReason.js';
import { LayerStateSchema } from './layerStatus.js';

// Reports from the original Go agent carry only imageRef/layers/startedAt/totalKnown, with
// Go zero times ("0001-01-01T00:00:00Z"); everything new here is optional so they still validate.

export const ReportLayerSchema = Type.Object({
  digest: Type.String({ minLength: 1, maxLength: 256 }),
  mediaType: Type.Optional(Type.String({ maxLength: 256 })),
  totalBytes: ByteCount,
  downloadedBytes: ByteCount,
  totalKnown: Type.Optional(Type.Boolean()),
  state: Type.Optional(LayerStateSchema),
  /** new: for state `shared`, the manifest digest (as the report names pulls) of the pull on this node that downloads it */
  sharedWith: Type.Optional(Type.String({ maxLength: 256 })),
});
export type ReportLayer = Static<typeof ReportLayerSchema>;

export const ReportPullStatusSchema = StringEnum(['pulling', 'unpacking', 'completed', 'failed']);

export const ReportPullSchema = Type.Object({
  imageRef: Type.String({ maxLength: 1024 }),
  startedAt: Type.Optional(Type.String({ maxLength: 64 })),
  totalKnown: Type.Optional(Type.Boolean()),
  /**
   * The digest the pull is known by: the image index's when the image has one (a multi-platform
   * image), else the manifest's. Keeps its v1 wire name; it names the pull, not always a manifest.
   */
  manifestDigest: Type.Optional(Type.String({ maxLength: 256 })),
  status: Type.Optional(ReportPullStatusSchema),
  error: Type.Optional(Type.String({ maxLength: 4096 })),
  /** new: when the last blob was committed (status `unpacking`) */
  unpackStartedAt: Type.Optional(Type.String({ maxLength: 64 })),
  /** new: status `unpacking`: digest of the layer containerd is applying (the first not yet labelled uncompressed) */
  unpackingLayer: Type.Optional(Type.String({ maxLength: 256 })),
  /** new: the agent's own kind of failure (the server classifies `error` when absent) */
  failureReason: Type.Optional(FailureReasonSchema),
  layers: Type.Array(ReportLayerSchema, { maxItems: 1000 }),
  /** new: layers of the image the agent left out of `layers` to stay within the limits above */
  layersOmitted: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type ReportPull = Static<typeof ReportPullSchema>;

export const AgentInfoSchema = Type.Object({
  version: Type.Optional(Type.String({ maxLength: 128 })),
  runtime: Type.Optional(Type.String({ maxLength: 64 })),
  runtimeVersion: Type.Optional(Type.String({ maxLength: 128 })),
});
export type AgentInfo = Static<typeof AgentInfoSchema>;

/** DNS-1123 subdomain: lowercase alphanumerics, '-' and '.', at most 253 characters. */
export const NODE_NAME_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

export const AgentReportSchema = Type.Object(
  {
    nodeName: Type.String({ minLength: 1, maxLength: 253, pattern: NODE_NAME_PATTERN }),
    timestamp: Type.Optional(Type.String({ maxLength: 64 })),
    agent: Type.Optional(AgentInfoSchema),
    pulls: Type.Array(ReportPullSchema, { maxItems: 1000 }),
  },
  { $id: 'AgentReport', title: 'AgentReport', description: 'Full snapshot of the pulls on one node, sent by an agent.' },
);
export type AgentReport = Static<typeof AgentReportSchema>;
