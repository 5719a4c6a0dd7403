// PULLTRACE_TRUSTED_PROXIES: comma-separated addresses or CIDR ranges (10.0.0.0/8, fd00::/8,
// 192.168.1.10). Checked here so a typo stops the start with its name, instead of a proxy's
// X-Forwarded-For being silently ignored (or wrongly believed).
import { isIP } from 'node:net';
import { SettingError } from './settingParsers.js';

const EXAMPLE = '(example: 10.0.0.0/8,fd00::/8)';

export function parseCidrList(text: string): string[] {
  const out: string[] = [];
  for (const entry of text.split(',').map((s) => s.trim())) {
    if (entry === '') continue;
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || extra !== undefined) throw new SettingError(`"${entry}" is not an IP address or CIDR range ${EXAMPLE}`);
    if (prefix !== undefined) {
      const bits = Number(prefix);
      const max = family === 4 ? 32 : 128;
      if (!/^\d{1,3}$/.test(prefix) || bits > max) {
        throw new SettingError(`"${entry}": the prefix length must be 0 to ${max} ${EXAMPLE}`);
      }
    }
    out.push(entry.toLowerCase());
  }
  return out;
}
