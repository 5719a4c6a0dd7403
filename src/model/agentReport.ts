import { type Static, Type } from '@sinclair/typebox';
import { ByteCount, PrintableString, StringEnum } from './common.js';
import { FailureReasonSchema } from './failureReason.js';
import { LayerStateSchema } from './layerStatus.js';
import { REPORT_LIMITS } from './reportLimits.js';

// Reports from the original Go agent carry only imageRef/layers/startedAt/totalKnown, with
// Go zero times ("0001-01-01T00:00:00Z"); everything new here is optional so they still validate.
// Names and times are printable (no control characters); `error` and `mediaType` are free text.

export const ReportLayerSchema = Type.Object({
  digest: PrintableString(REPORT_LIMITS.layerDigestChars, { minLength: 1 }),
  mediaType: Type.Optional(Type.String({ maxLength: REPORT_LIMITS.mediaTypeChars })),
  totalBytes: ByteCount,
  downloadedBytes: ByteCount,
  totalKnown: Type.Optional(Type.Boolean()),
  state: Type.Optional(LayerStateSchema),
  /** new: for state `shared`, the manifest digest (as the report names pulls) of the pull on this node that downloads it */
  sharedWith: Type.Optional(PrintableString(REPORT_LIMITS.sharedWithChars)),
  /**
   * new: true while `digest` is the agent's best guess, not yet proven by the blob's own digest
   * (CRI-O: attributed from the blob-info cache until the downloaded file is hashed); absent = exact
   */
  digestProvisional: Type.Optional(Type.Boolean()),
});
export type ReportLayer = Static<typeof ReportLayerSchema>;

export const ReportPullStatusSchema = StringEnum(['pulling', 'unpacking', 'completed', 'failed']);

export const ReportPullSchema = Type.Object({
  imageRef: PrintableString(REPORT_LIMITS.imageRefChars),
  startedAt: Type.Optional(PrintableString(REPORT_LIMITS.startedAtChars)),
  totalKnown: Type.Optional(Type.Boolean()),
  /**
   * The digest the pull is known by: the image index's when the image has one (a multi-platform
   * image), else the manifest's. Keeps its v1 wire name; it names the pull, not always a manifest.
   */
  manifestDigest: Type.Optional(PrintableString(REPORT_LIMITS.manifestDigestChars)),
  /**
   * new: names this pull across reports when neither its manifest digest nor its reference is
   * known from its start (CRI-O learns both when the image lands); the server then keys the pull
   * by it instead of `manifestDigest`/`imageRef`. Unique per attempt on the node.
   */
  pullKey: Type.Optional(PrintableString(REPORT_LIMITS.pullKeyChars)),
  status: Type.Optional(ReportPullStatusSchema),
  error: Type.Optional(Type.String({ maxLength: REPORT_LIMITS.errorChars })),
  /** new: when the last blob was committed (status `unpacking`) */
  unpackStartedAt: Type.Optional(PrintableString(REPORT_LIMITS.unpackStartedAtChars)),
  /** new: status `unpacking`: digest of the layer containerd is applying (the first not yet labelled uncompressed) */
  unpackingLayer: Type.Optional(PrintableString(REPORT_LIMITS.unpackingLayerChars)),
  /** new: the agent's own kind of failure (the server classifies `error` when absent) */
  failureReason: Type.Optional(FailureReasonSchema),
  layers: Type.Array(ReportLayerSchema, { maxItems: REPORT_LIMITS.layersPerPull }),
  /**
   * new: the containerd namespace of the pull, sent by an agent that follows several namespaces.
   * Pulls of the same image in two namespaces at once are two pulls (the server keys them apart).
   */
  containerdNamespace: Type.Optional(PrintableString(REPORT_LIMITS.containerdNamespaceChars, { minLength: 1 })),
  /** new: layers of the image the agent left out of `layers` to stay within the limits above */
  layersOmitted: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type ReportPull = Static<typeof ReportPullSchema>;

export const AgentInfoSchema = Type.Object({
  version: Type.Optional(PrintableString(REPORT_LIMITS.agentVersionChars)),
  runtime: Type.Optional(PrintableString(REPORT_LIMITS.agentRuntimeChars)),
  runtimeVersion: Type.Optional(PrintableString(REPORT_LIMITS.agentRuntimeVersionChars)),
});
export type AgentInfo = Static<typeof AgentInfoSchema>;

/** DNS-1123 subdomain: lowercase alphanumerics, '-' and '.', at most 253 characters. */
export const NODE_NAME_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

export const AgentReportSchema = Type.Object(
  {
    nodeName: Type.String({ minLength: 1, maxLength: REPORT_LIMITS.nodeNameChars, pattern: NODE_NAME_PATTERN }),
    timestamp: Type.Optional(PrintableString(REPORT_LIMITS.timestampChars)),
    agent: Type.Optional(AgentInfoSchema),
    pulls: Type.Array(ReportPullSchema, { maxItems: REPORT_LIMITS.pulls }),
  },
  { $id: 'AgentReport', title: 'AgentReport', description: 'Full snapshot of the pulls on one node, sent by an agent.' },
);
export type AgentReport = Static<typeof AgentReportSchema>;
