// PULLTRACE_ALLOWED_HOSTS: comma-separated host names (or IP addresses) a loopback-bound server
// answers to besides localhost, 127.0.0.1 and [::1]; compared without the port, case-insensitively.
import { isIP } from 'node:net';
import { SettingError } from './settingParsers.js';

const HOST_NAME = /^[a-z0-9]([-a-z0-9_]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9_]*[a-z0-9])?)*\.?$/;

export function parseHostNameList(text: string): string[] {
  const out: string[] = [];
  for (const entry of text.split(',').map((s) => s.trim().toLowerCase())) {
    if (entry === '') continue;
    const bare = entry.startsWith('[') && entry.endsWith(']') ? entry.slice(1, -1) : entry;
    if (isIP(bare) === 6) out.push(`[${bare}]`);
    else if (HOST_NAME.test(entry)) out.push(entry.replace(/\.$/, ''));
    else throw new SettingError(`"${entry}" is not a host name without port (example: pulltrace.internal,my-laptop)`);
  }
  return out;
}
