import { type Static, Type } from '@sinclair/typebox';
import { StringEnum, Timestamp } from './common.js';
import { LayerStatusSchema } from './layerStatus.js';
import { PullStatusSchema } from './pullStatus.js';

export const PULL_EVENT_TYPES = [
  'pull.started',
  'pull.progress',
  'pull.completed',
  'pull.failed',
  'pull.stalled',
  'pull.unpacking',
  'layer.started',
  'layer.progress',
  'layer.completed',
  // new: a pull failed because its node went silent continues, under the same id, when the node reports it again
  'pull.resumed',
] as const;

export const PullEventTypeSchema = StringEnum([...PULL_EVENT_TYPES]);
export type PullEventType = (typeof PULL_EVENT_TYPES)[number];

/** One SSE message and one lifecycle log line. */
export const PullEventSchema = Type.Object(
  {
    schemaVersion: Type.Literal('v1'),
    timestamp: Timestamp,
    type: PullEventTypeSchema,
    nodeName: Type.String(),
    pull: Type.Optional(PullStatusSchema),
    layer: Type.Optional(LayerStatusSchema),
  },
  { $id: 'PullEvent', title: 'PullEvent', description: 'A Pulltrace event: one pull lifecycle change or progress update.' },
);
export type PullEvent = Static<typeof PullEventSchema>;
