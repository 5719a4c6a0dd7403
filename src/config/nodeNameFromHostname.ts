// The node name an agent reports as when none is given: the host name, made a DNS-1123 subdomain.
// A laptop called "Dev_Box" or "MacBook Pro" must not stop `npm start` (a node name is only a label
// here; in a cluster the chart sets it from spec.nodeName).
import { DNS_SUBDOMAIN_MAX } from './settingParsers.js';

/** Lowercase; anything but letters, digits, '-' and '.' becomes '-'; labels trimmed of '-'; "localhost" when nothing is left. */
export function nodeNameFromHostname(host: string): string {
  const labels = host
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .split('.')
    .map((label) =>
      label
        .replace(/^-+|-+$/g, '')
        .slice(0, 63)
        .replace(/-+$/, ''),
    )
    .filter((label) => label !== '');
  let name = labels
    .join('.')
    .slice(0, DNS_SUBDOMAIN_MAX)
    .replace(/[.-]+$/, '');
  if (name === '') name = 'localhost';
  return name;
}
