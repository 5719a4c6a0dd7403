// The one check every agent report passes before it may change anything, wherever it comes from:
// POST /api/v1/report and the shared report log (bus/logMessage.ts) both call reportProblem. The
// schema is the report schema of the API (model/agentReport.ts), the time bounds reportTimes.ts's.
// The log is written by anyone who can reach NATS, so what it holds is checked like a request body.
import { Kind, type TSchema, TypeRegistry } from '@sinclair/typebox';
import { TypeCompiler, type ValueError, ValueErrorType } from '@sinclair/typebox/compiler';
import { type AgentReport, AgentReportSchema } from '../../model/index.js';
import { reportTimeProblem } from './reportTimes.js';

/** Why a report is refused: its shape (schema and limits) or an unbelievable time. */
export type ReportProblem = { reason: 'schema' | 'time'; message: string };

// The model's string enums are plain JSON Schema (`Type.Unsafe`, for Fastify's validator); the
// compiled check needs to be told what such a schema accepts. Anything else unsafe fails closed.
if (!TypeRegistry.Has('Unsafe')) {
  TypeRegistry.Set('Unsafe', (schema: { type?: unknown; enum?: unknown }, value) => {
    if (schema.type !== 'string' || typeof value !== 'string') return false;
    return !Array.isArray(schema.enum) || schema.enum.includes(value);
  });
}

const reportShape = TypeCompiler.Compile(AgentReportSchema);

/** The first reason `value` may not be applied as a report at server time `now`; undefined when it may. */
export function reportProblem(value: unknown, now: number): ReportProblem | undefined {
  if (!reportShape.Check(value)) {
    const first = firstSchemaError(value);
    if (first) return { reason: 'schema', message: describe(first) };
  }
  // Valid (or only longer in UTF-16 units than in characters): a report.
  const time = reportTimeProblem(value as AgentReport, now);
  return time ? { reason: 'time', message: time } : undefined;
}

/**
 * The first error the API's validator would report too. JSON Schema's maxLength counts characters
 * (code points), as Fastify's validator and the agent's trimming do; the compiled check counts
 * UTF-16 units, so a text of emoji within its limit must not be refused here alone.
 */
function firstSchemaError(value: unknown): ValueError | undefined {
  for (const e of reportShape.Errors(value)) {
    const max = (e.schema as { maxLength?: number }).maxLength;
    const withinInCharacters =
      e.type === ValueErrorType.StringMaxLength && typeof e.value === 'string' && max !== undefined && [...e.value].length <= max;
    if (!withinInCharacters) return e;
  }
  return undefined;
}

/** `/pulls/2/imageRef` → `pulls[2].imageRef`, and a sentence a person can act on. */
function describe(e: ValueError): string {
  let field = '';
  for (const part of e.path.split('/').slice(1)) field += /^\d+$/.test(part) ? `[${part}]` : field ? `.${part}` : part;
  const schema = e.schema as TSchema & { enum?: unknown[] };
  if (schema[Kind] === 'Unsafe' && Array.isArray(schema.enum)) return `${field} must be one of ${schema.enum.join(', ')}`;
  return `${field || 'the report'}: ${e.message.charAt(0).toLowerCase()}${e.message.slice(1)}`;
}
