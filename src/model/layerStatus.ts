import { type Static, Type } from '@sinclair/typebox';
import { ByteCount, StringEnum, Timestamp } from './common.js';

export const LayerStateSchema = StringEnum(['waiting', 'downloading', 'done', 'cached', 'shared'], {
  description:
    'waiting: not started; downloading: ingest active; done: committed during this pull; cached: on the node before the pull; shared: another pull on this node downloads it (see sharedWith)',
});
export type LayerState = Static<typeof LayerStateSchema>;

/** One layer (or config blob) of a pull, as the server shows it. */
export const LayerStatusSchema = Type.Object(
  {
    pullId: Type.String(),
    digest: Type.String(),
    mediaType: Type.String(),
    totalBytes: ByteCount,
    downloadedBytes: ByteCount,
    bytesPerSec: Type.Number({ minimum: 0 }),
    percent: Type.Number({ minimum: 0, maximum: 100 }),
    startedAt: Type.Optional(Timestamp),
    completedAt: Type.Optional(Type.Union([Timestamp, Type.Null()])),
    totalKnown: Type.Boolean(),
    state: LayerStateSchema,
    /** new: for state `shared`, the id of the pull on this node that downloads the layer (absent while unknown) */
    sharedWith: Type.Optional(Type.String()),
    /** new: true while `digest` is the agent's attribution, not yet proven by hashing the blob (CRI-O nodes); absent once exact */
    digestProvisional: Type.Optional(Type.Boolean()),
  },
  { $id: 'LayerStatus' },
);
export type LayerStatus = Static<typeof LayerStatusSchema>;
