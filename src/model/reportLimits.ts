// The limits an AgentReport must respect to be accepted, read from its schema so the agent (which
// trims its reports to them) and the server (which enforces them) can never disagree.
import type { TSchema } from '@sinclair/typebox';
import { AgentInfoSchema, AgentReportSchema, ReportLayerSchema, ReportPullSchema } from './agentReport.js';
import { MAX_LAYERS_PER_REPORT } from './limits.js';

function maxItems(schema: TSchema): number {
  const n = (schema as { maxItems?: unknown }).maxItems;
  if (typeof n !== 'number') throw new Error('report schema: array without maxItems');
  return n;
}

function maxLength(schema: TSchema): number {
  const n = (schema as { maxLength?: unknown }).maxLength;
  if (typeof n !== 'number') throw new Error('report schema: string without maxLength');
  return n;
}

/** Largest request body the server reads for a report (larger: 413). */
export const REPORT_BODY_LIMIT_BYTES = 1024 * 1024;

export const REPORT_LIMITS = {
  bodyBytes: REPORT_BODY_LIMIT_BYTES,
  pulls: maxItems(AgentReportSchema.properties.pulls),
  layersPerPull: maxItems(ReportPullSchema.properties.layers),
  /** across all pulls of a report (not expressible in JSON Schema: checked by the server) */
  layersPerReport: MAX_LAYERS_PER_REPORT,
  imageRefChars: maxLength(ReportPullSchema.properties.imageRef),
  startedAtChars: maxLength(ReportPullSchema.properties.startedAt),
  manifestDigestChars: maxLength(ReportPullSchema.properties.manifestDigest),
  errorChars: maxLength(ReportPullSchema.properties.error),
  layerDigestChars: maxLength(ReportLayerSchema.properties.digest),
  mediaTypeChars: maxLength(ReportLayerSchema.properties.mediaType),
  agentVersionChars: maxLength(AgentInfoSchema.properties.version),
  agentRuntimeChars: maxLength(AgentInfoSchema.properties.runtime),
  agentRuntimeVersionChars: maxLength(AgentInfoSchema.properties.runtimeVersion),
} as const;
