// A layer in state `shared` is downloaded by another pull on the same node. The agent cannot
// know the server's pull ids, so it names the owner by the key reports use for pulls (the
// manifest or index digest); this maps that key to the owner's id, the `sharedWith` users see.
import type { ReportLayer } from '../../model/index.js';
import type { PullRecord } from './pullRecord.js';

/** Sets `sharedWith` on this pull's shared layers; returns true when one changed. */
export function resolveSharedLayers(rec: PullRecord, reported: ReportLayer[], ownerId: (key: string) => string | undefined): boolean {
  let changed = false;
  for (const rl of reported) {
    if (rl.state !== 'shared' || rl.sharedWith === undefined) continue;
    const l = rec.layers.get(rl.digest);
    if (!l) continue;
    l.sharedWithKey = rl.sharedWith;
    const id = rl.sharedWith === rec.key ? undefined : ownerId(rl.sharedWith);
    if (id !== undefined && id !== l.sharedWith) {
      l.sharedWith = id;
      changed = true;
    }
  }
  return changed;
}
