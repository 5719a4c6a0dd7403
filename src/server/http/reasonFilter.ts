// The `reason` query filter of /api/v1/history: failure kinds, comma-separated, from the model's
// fixed list (FAILURE_REASONS), so a kind added there is accepted here without touching this file.
import { FAILURE_REASONS, type FailureReason } from '../../model/index.js';

/**
 * Parses `auth,rate_limited` into the kinds it names (in the model's order, no duplicates). Throws
 * an Error whose message names the first unknown word and lists the allowed ones.
 */
export function parseReasonList(text: string): FailureReason[] {
  const wanted = new Set<string>();
  for (const raw of text.split(',')) {
    const word = raw.trim();
    if (!(FAILURE_REASONS as readonly string[]).includes(word)) {
      const shown = word === '' ? 'an empty value' : `"${word.slice(0, 32).replace(/[^\w.-]/g, '?')}"`;
      throw new Error(`query parameter "reason" has ${shown} (allowed, comma-separated: ${FAILURE_REASONS.join(', ')})`);
    }
    wanted.add(word);
  }
  return FAILURE_REASONS.filter((r) => wanted.has(r));
}
