// The JSON text of an event for the stream, built from parts. The layer events of one report
// share one pull status object (the tracker builds it once per pull), and a viewer with layers
// receives mostly layer events: serialized whole, each repeated that pull's JSON. Here the pull's
// JSON is made once per status object (both forms: with and without its layers) and spliced into
// every event that carries it. The text is the same as JSON.stringify of the event (same keys in
// the same order; `layers` is the last key of a pull status, where pullStatus() puts it).
import type { PullEvent, PullStatus } from '../../../model/index.js';

/** Pull JSON already made, per status object; the hub clears it after each flush. */
export class PullJsonCache {
  private readonly summaries = new Map<PullStatus, string>();
  private readonly fulls = new Map<PullStatus, string>();

  /** The pull's JSON without its `layers` array. */
  summary(pull: PullStatus): string {
    let text = this.summaries.get(pull);
    if (text === undefined) {
      if (pull.layers === undefined) text = JSON.stringify(pull);
      else {
        const { layers: _layers, ...rest } = pull;
        text = JSON.stringify(rest);
      }
      this.summaries.set(pull, text);
    }
    return text;
  }

  /** The pull's JSON as it is (with `layers` when it has them). */
  full(pull: PullStatus): string {
    if (pull.layers === undefined) return this.summary(pull);
    let text = this.fulls.get(pull);
    if (text === undefined) {
      text = spliceLayers(this.summary(pull), JSON.stringify(pull.layers));
      this.fulls.set(pull, text);
    }
    return text;
  }

  /** pull texts made since the last clear */
  get size(): number {
    return this.summaries.size + this.fulls.size;
  }

  clear(): void {
    this.summaries.clear();
    this.fulls.clear();
  }
}

/** `{…}` + `"layers":[…]` as its last key. */
function spliceLayers(summaryJson: string, layersJson: string): string {
  const body = summaryJson.slice(0, -1);
  return `${body}${body.length > 1 ? ',' : ''}"layers":${layersJson}}`;
}

/** The event's JSON; `withLayers` false drops the pull's `layers` (for `layers=0` viewers). */
export function eventJson(event: PullEvent, withLayers: boolean, cache: PullJsonCache): string {
  let out = `{"schemaVersion":${JSON.stringify(event.schemaVersion)},"timestamp":${JSON.stringify(event.timestamp)},"type":${JSON.stringify(event.type)},"nodeName":${JSON.stringify(event.nodeName)}`;
  if (event.pull !== undefined) out += `,"pull":${withLayers ? cache.full(event.pull) : cache.summary(event.pull)}`;
  if (event.layer !== undefined) out += `,"layer":${JSON.stringify(event.layer)}`;
  return `${out}}`;
}
