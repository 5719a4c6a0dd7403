// The `status` query filter: exact pull states, comma-separated, plus `active` for every state that
// is not finished. The allowed values come from the model's PullState enum, so a state added there
// (e.g. `unpacking`) is accepted here and counted as active without touching this file.
import { type PullState, PullStateSchema } from '../../model/index.js';

/** States after which a pull never changes again. */
export const FINISHED_STATES: readonly PullState[] = ['completed', 'failed'];

/** Every state the model defines, in the model's order. */
export const PULL_STATES: readonly PullState[] = (PullStateSchema as unknown as { enum: PullState[] }).enum;

/** Every state that is not finished: what `status=active` stands for. */
export const ACTIVE_STATES: readonly PullState[] = PULL_STATES.filter((s) => !FINISHED_STATES.includes(s));

/** Every word `status=` accepts. */
export const STATUS_WORDS: readonly string[] = [...PULL_STATES, 'active'];

/**
 * Parses `pulling,stalled` / `active` into the set of states it names (in model order, no
 * duplicates). Throws an Error whose message names the first unknown word and lists the allowed ones.
 */
export function parseStatusList(text: string): PullState[] {
  const wanted = new Set<PullState>();
  for (const raw of text.split(',')) {
    const word = raw.trim();
    if (word === 'active') {
      for (const s of ACTIVE_STATES) wanted.add(s);
    } else if ((PULL_STATES as readonly string[]).includes(word)) {
      wanted.add(word as PullState);
    } else {
      const shown = word === '' ? 'an empty value' : `"${word.slice(0, 32).replace(/[^\w.-]/g, '?')}"`;
      throw new Error(`query parameter "status" has ${shown} (allowed, comma-separated: ${STATUS_WORDS.join(', ')})`);
    }
  }
  return PULL_STATES.filter((s) => wanted.has(s));
}
