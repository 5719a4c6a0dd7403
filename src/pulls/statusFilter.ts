// The `status` filter: exact pull states, comma-separated, plus `active` for every state that is not
// finished. The states are listed here rather than read from the model's schema so the web bundle
// carries no schema code; statusFilter.test.ts fails when the model's PullState enum differs.
import type { PullState } from '../model/index.js';
import { FINISHED_STATES, isFinished } from './finished.js';

/** Every state the model defines, in the model's order. */
export const PULL_STATES: readonly PullState[] = ['pulling', 'stalled', 'unpacking', 'completed', 'failed'];

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

/**
 * Whether `status` is one of `wanted` (exact words; `active` stands for every unfinished state). A
 * status this client does not know counts as active, so a newer server's states are not hidden.
 */
export function matchesStatusWords(status: string, wanted: readonly string[]): boolean {
  return wanted.includes(status) || (wanted.includes('active') && !isFinished(status));
}
