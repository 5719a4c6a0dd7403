import { type TUnsafe, Type } from '@sinclair/typebox';
import { MAX_BYTES } from './limits.js';

/** RFC 3339 time in UTC, e.g. 2026-11-27T10:00:00.000Z */
export const Timestamp = Type.String({ format: 'date-time' });

/** Bytes: a whole number in [0, 2^53 − 1], so every JSON reader gets the exact value. */
export const ByteCount = Type.Integer({ minimum: 0, maximum: MAX_BYTES });

export const SCHEMA_VERSION = 'v1' as const;

/** A string enum as plain JSON Schema `enum` (clearer validation messages than anyOf of consts). */
export function StringEnum<T extends string[]>(values: [...T], options: Record<string, unknown> = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: values, ...options });
}
