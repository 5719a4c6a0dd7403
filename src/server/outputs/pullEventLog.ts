// Each pull lifecycle change is one JSON log line carrying the PullEvent fields, so
// `kubectl logs | jq` gives the same record as the SSE stream. Progress goes to debug, except
// progress of a finished pull: that is a refinement (kubelet's error text or figures), worth info.
import type { Logger } from '../../log/index.js';
import type { PullEvent } from '../../model/index.js';

const LIFECYCLE = new Set(['pull.started', 'pull.completed', 'pull.failed', 'pull.stalled', 'pull.resumed']);

export function logPullEvent(logger: Logger, event: PullEvent): void {
  const lifecycle =
    LIFECYCLE.has(event.type) ||
    (event.type === 'pull.progress' && (event.pull?.status === 'completed' || event.pull?.status === 'failed'));
  if (!lifecycle && !logger.isLevelEnabled('debug')) return;
  const { layers: _layers, ...pull } = event.pull ?? ({} as NonNullable<PullEvent['pull']>);
  const line = {
    schemaVersion: event.schemaVersion,
    timestamp: event.timestamp,
    type: event.type,
    nodeName: event.nodeName,
    pull: event.pull ? pull : undefined,
    layer: event.layer,
  };
  const msg = `${event.type} ${event.pull?.imageRef ?? ''} on ${event.nodeName}`;
  if (event.type === 'pull.failed' || event.type === 'pull.stalled') logger.warn(line, msg);
  else if (lifecycle) logger.info(line, msg);
  else logger.debug(line, msg);
}
