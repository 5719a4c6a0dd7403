// Query parameters are validated by hand (all strings) so every message names the parameter.
import { FILTER_KEYS, type PullFilter, parseStatusList } from '../../pulls/index.js';
import { type ApiError, apiError } from './apiError.js';

type Query = Record<string, string | string[] | undefined>;

const MAX_FILTER_LENGTH = 256;

function single(query: Query, key: string): string | undefined {
  const v = query[key];
  if (Array.isArray(v)) throw invalid(`query parameter "${key}" is given more than once`);
  return v;
}

function invalid(message: string): ApiError {
  return apiError('invalid_request', message);
}

export function rejectUnknown(query: Query, allowed: readonly string[]): void {
  for (const key of Object.keys(query)) {
    if (!allowed.includes(key)) {
      const takes = allowed.length > 0 ? `allowed: ${allowed.join(', ')}` : 'this endpoint takes none';
      throw invalid(`unknown query parameter "${key.slice(0, 64).replace(/[^\w.-]/g, '?')}" (${takes})`);
    }
  }
}

export function parseFilter(query: Query): PullFilter {
  const f: PullFilter = {};
  for (const key of FILTER_KEYS) {
    const v = single(query, key);
    if (v === undefined || v === '') continue;
    if (v.length > MAX_FILTER_LENGTH) throw invalid(`query parameter "${key}" is longer than ${MAX_FILTER_LENGTH} characters`);
    if (key === 'status') f.status = parseStatusListOr400(v);
    else f[key] = v;
  }
  return f;
}

function parseStatusListOr400(text: string) {
  try {
    return parseStatusList(text);
  } catch (err) {
    throw invalid((err as Error).message);
  }
}

/** The words a boolean query parameter accepts, exactly (no yes/no/on/off, no other case). */
const BOOLEAN_WORDS: Record<string, boolean> = { '1': true, true: true, '0': false, false: false };

/** A strict boolean query parameter: `0`, `1`, `false` or `true`; absent or empty gives `fallback`. */
export function parseBoolean(query: Query, key: string, fallback: boolean): boolean {
  const v = single(query, key);
  if (v === undefined || v === '') return fallback;
  if (!Object.hasOwn(BOOLEAN_WORDS, v)) throw invalid(`query parameter "${key}" must be 0, 1, false or true`);
  return BOOLEAN_WORDS[v] as boolean;
}

/** `layers=0|1|false|true` on every endpoint that returns pulls; default true. */
export function parseLayers(query: Query): boolean {
  return parseBoolean(query, 'layers', true);
}

export function parseLimit(query: Query, max: number, fallback: number): number {
  const v = single(query, 'limit');
  if (v === undefined || v === '') return fallback;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max)
    throw invalid(`query parameter "limit" must be a whole number from 1 to ${max}`);
  return Number(v);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function parseTime(query: Query, key: string): number | undefined {
  const v = single(query, key);
  if (v === undefined || v === '') return undefined;
  const t = Date.parse(v);
  if (!RFC3339.test(v) || !Number.isFinite(t))
    throw invalid(`query parameter "${key}" must be an RFC 3339 time (example: 2026-11-27T10:00:00Z)`);
  return t;
}

export function parseString(query: Query, key: string, maxLength = 512): string | undefined {
  const v = single(query, key);
  if (v === undefined || v === '') return undefined;
  if (v.length > maxLength) throw invalid(`query parameter "${key}" is too long`);
  return v;
}
