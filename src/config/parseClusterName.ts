// The `cluster` setting: a DNS label (lowercase letters, digits, '-', at most 63), because it
// names the cluster in the API, in filters, and as one token of message-bus subjects.
import { SettingError } from './settingParsers.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function parseClusterName(text: string): string {
  if (!DNS_LABEL.test(text)) {
    throw new SettingError(
      'must be a DNS label: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63',
    );
  }
  return text;
}
