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

/**
 * No C0 control, DEL or C1 control character: names in a report are shown in terminals and text
 * logs, where such a character is an instruction (ESC starts escape sequences). Agents read these
 * names from containerd, which never holds one; free text (`error`, `mediaType`) may, and every
 * text output makes it printable.
 */
export const PRINTABLE_PATTERN = '^[^\\u0000-\\u001f\\u007f-\\u009f]*$';

/** A string of at most `maxLength` characters without control characters. */
export function PrintableString(maxLength: number, options: { minLength?: number } = {}) {
  return Type.String({ ...options, maxLength, pattern: PRINTABLE_PATTERN });
}
