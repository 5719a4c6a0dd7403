// Text from the cluster or the server (image names, node and pod names, errors, server messages)
// shown in a terminal or a text log. A control character written to a terminal is an instruction to
// it: ESC starts sequences that retitle the window, clear or rewrite the screen, or colour text to
// look like ours; BEL rings. Kubernetes accepts such bytes in an image name and kubelet's Events
// carry them, so every name is made printable right before it is shown.

// C0 controls, DEL and C1 controls (U+0080–U+009F: some terminals take U+009B as CSI), plus the
// bidirectional formatting characters that make text read differently from how it is stored.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const LINE_BREAKS = /[\t\n\r]+/g;

/**
 * The text on one line, safe for a terminal: tabs and line breaks become a space (errors span
 * lines; every output here is one line per record), every other control or bidirectional formatting
 * character becomes a visible escape (`\x1b`, `\x07`, `\u202e`), so a person sees that it was there.
 */
export function printable(text: string): string {
  // Fields of a JSON record from elsewhere may be of any type; never throw while showing one.
  if (typeof text !== 'string') return text === undefined || text === null ? '' : printable(String(text));
  return text.replace(LINE_BREAKS, ' ').replace(UNPRINTABLE, escapeChar);
}

/** True when the text has a character `printable` would change. */
export function hasUnprintable(text: string): boolean {
  LINE_BREAKS.lastIndex = 0;
  UNPRINTABLE.lastIndex = 0;
  return LINE_BREAKS.test(text) || UNPRINTABLE.test(text);
}

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}
