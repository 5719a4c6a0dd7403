import { AgentReportSchema } from './agentReport.js';
import { PullEventSchema } from './pullEvent.js';

/** The JSON Schema files shipped in docs/schemas, keyed by file name. */
export function publishedSchemas(): Record<string, unknown> {
  return {
    'pull-event-v1.json': withHeader(PullEventSchema, 'pull-event-v1.json'),
    'agent-report-v1.json': withHeader(AgentReportSchema, 'agent-report-v1.json'),
  };
}

function withHeader(schema: object, file: string): unknown {
  // JSON.parse(JSON.stringify()) drops TypeBox's symbol keys, leaving plain JSON Schema.
  // Nested `$id`s (LayerStatus appears twice in a PullEvent) would make the file ambiguous to validators.
  const plain = JSON.parse(JSON.stringify(schema), (key, value) => (key === '$id' ? undefined : value)) as Record<string, unknown>;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    ...plain,
    $id: `https://pulltrace.dev/schemas/${file}`,
  };
}
