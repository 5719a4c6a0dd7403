// Go's `%q` (strconv.Quote) as the kubelet writes image names into Event messages: `\a \b \f \n
// \r \t \v`, `\xNN` for other bytes below 0x20 and DEL, `\uNNNN` for other non-printable characters
// (C1 controls, format characters), the rest as it is. JSON.stringify differs (`\u001b` for ESC).
const SHORT: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };

export function goQuote(text: string): string {
  let out = '"';
  for (const c of text) {
    const code = c.codePointAt(0) as number;
    if (c === '"' || c === '\\') out += `\\${c}`;
    else if (SHORT[c]) out += SHORT[c];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if ((code >= 0x80 && code <= 0x9f) || /\p{Cf}/u.test(c)) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return `${out}"`;
}
