// Pure parsers for setting values. Each returns the value or throws SettingError with a
// message a person can act on; the caller adds the setting's name.
import { parseDuration } from '../common/index.js';

export class SettingError extends Error {}

export interface ListenAddress {
  host: string;
  port: number;
}

export function parseAddress(text: string): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65535) throw new SettingError(`"${text}" is not host:port or :port (examples: :8080, 127.0.0.1:0, [::1]:9090)`);
  return { host: m[1] ?? m[2] ?? '', port };
}

export function parseDurationSetting(text: string, minMs = 1): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new SettingError(`"${text}" is not a duration (examples: 500ms, 2s, 1m, 1h30m)`);
  if (ms < minMs) throw new SettingError(`"${text}" is too short (at least ${minMs}ms)`);
  return ms;
}

export function parseEnum<T extends string>(text: string, allowed: readonly T[]): T {
  const v = text.trim().toLowerCase();
  if (!(allowed as readonly string[]).includes(v)) {
    throw new SettingError(`"${text}" is not one of ${allowed.join(', ')}`);
  }
  return v as T;
}

export function parsePositiveInt(text: string): number {
  const v = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(v) || v < 1) {
    throw new SettingError(`"${text}" is not a positive whole number (example: 100)`);
  }
  return v;
}

export function parseHttpUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SettingError(`"${text}" is not a URL (example: http://pulltrace-server:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SettingError(`"${text}" must start with http:// or https:// (example: http://pulltrace-server:8080)`);
  }
  return url.toString().replace(/\/$/, '');
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function parseNamespaceList(text: string): string[] {
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const ns of list) {
    if (!DNS_LABEL.test(ns)) throw new SettingError(`"${ns}" is not a namespace name (example: default,kube-system)`);
  }
  return list;
}

/** Longest DNS-1123 subdomain. */
export const DNS_SUBDOMAIN_MAX = 253;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function parseNodeName(text: string): string {
  if (text.length > DNS_SUBDOMAIN_MAX || !DNS_SUBDOMAIN.test(text)) {
    throw new SettingError(`"${text}" is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.'; example: worker-1)`);
  }
  return text;
}

export function parseNonEmpty(text: string): string {
  if (text.trim() === '') throw new SettingError('must not be empty');
  return text;
}

/** An enum that may be left empty (the default is then computed from other settings). */
export function parseOptionalEnum<T extends string>(text: string, allowed: readonly T[]): T | undefined {
  return text.trim() === '' ? undefined : parseEnum(text, allowed);
}

export interface ServiceAccountRef {
  namespace: string;
  name: string;
}

/** `ns:name,ns2:name2` → ServiceAccount references (DNS-1123 namespace, DNS-1123 subdomain name). */
export function parseServiceAccountList(text: string): ServiceAccountRef[] {
  const out: ServiceAccountRef[] = [];
  for (const item of text.split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const [namespace = '', name = '', ...rest] = item.split(':');
    if (rest.length > 0 || !DNS_LABEL.test(namespace) || name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
      throw new SettingError(`"${item}" is not namespace:name of a ServiceAccount (example: pulltrace:pulltrace-agent)`);
    }
    out.push({ namespace, name });
  }
  return out;
}
