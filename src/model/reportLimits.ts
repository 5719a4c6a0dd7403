// The limits an AgentReport must respect to be accepted. The report schema (agentReport.ts) takes its
// maxItems/maxLength from here, so the agent (which trims its reports to them) and the server (which
// enforces them) can never disagree. Plain numbers, no schema library: the agent on every node
// imports this file alone and so does not load TypeBox (a few MB of RSS per node).
import { MAX_LAYERS_PER_REPORT } from './limits.js';

/** Largest request body the server reads for a report (larger: 413). */
export const REPORT_BODY_LIMIT_BYTES = 1024 * 1024;

const limits = {
  bodyBytes: REPORT_BODY_LIMIT_BYTES,
  pulls: 1000,
  layersPerPull: 1000,
  /** across all pulls of a report (not expressible in JSON Schema: checked by the server) */
  layersPerReport: MAX_LAYERS_PER_REPORT,
  imageRefChars: 1024,
  startedAtChars: 64,
  manifestDigestChars: 256,
  errorChars: 4096,
  layerDigestChars: 256,
  mediaTypeChars: 256,
  /** `sharedWith` names a pull by its digest */
  sharedWithChars: 256,
  unpackStartedAtChars: 64,
  /** `pullKey` names one attempt (CRI-O: its temporary folder) */
  pullKeyChars: 256,
  unpackingLayerChars: 256,
  /** containerd's own limit for a namespace name (an identifier) */
  containerdNamespaceChars: 76,
  nodeNameChars: 253,
  timestampChars: 64,
  agentVersionChars: 128,
  agentRuntimeChars: 64,
  agentRuntimeVersionChars: 128,
};

export const REPORT_LIMITS: Readonly<typeof limits> = limits;
