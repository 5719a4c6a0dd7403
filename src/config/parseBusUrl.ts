// The `bus` setting: empty (in-process, one server) or a nats:// URL of a NATS server with JetStream,
// optionally with credentials (nats://user:password@host, nats://token@host) or TLS (tls://).
import { SettingError } from './settingParsers.js';

export function parseBusUrl(text: string): string {
  const value = text.trim();
  if (value === '') return '';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SettingError('must be empty or a nats://host:4222 URL');
  }
  if (url.protocol !== 'nats:' && url.protocol !== 'tls:')
    throw new SettingError(`must be a nats:// (or tls://) URL, not ${url.protocol}//`);
  if (!url.hostname) throw new SettingError('names no host (expected nats://host:4222)');
  return value;
}

/** Whether a bus URL carries credentials (user and password, or a token). */
export function busUrlHasCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false;
  }
}
