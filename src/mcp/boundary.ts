import { z } from 'zod';
import { GovdbError } from '../errors';
import { LIMITS } from './limits';

/**
 * Text and structure at the MCP boundary, checked once for every tool call before zod, the
 * handlers, JSON.stringify or PostgreSQL see the arguments:
 *
 * - nesting depth ≤ LIMITS.jsonDepth and at most LIMITS.argumentElements array elements and object
 *   members in all (walked iteratively, so a 100,000-deep value cannot overflow the stack);
 * - no string (value or object key) longer than LIMITS.anyString, containing NUL (PostgreSQL text
 *   cannot hold it) or an unpaired UTF-16 surrogate (JSON and PostgreSQL cannot hold it).
 *
 * Free text otherwise keeps what the agent wrote. Identifiers shown to people (labels, tags) get
 * the stricter `identifierText` schema.
 */

/** Names a path in the arguments the way a user wrote it: `details.a[3].b`. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(arguments)';
}

/** Index of the first NUL or unpaired surrogate in `s`, and what it is; null when the text is storable. */
export function unstorableChar(s: string): { index: number; what: string } | null {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return { index: i, what: 'a NUL character (U+0000)' };
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return { index: i, what: `an unpaired surrogate (U+${c.toString(16).toUpperCase()})` };
    }
    if (c >= 0xdc00 && c <= 0xdfff) return { index: i, what: `an unpaired surrogate (U+${c.toString(16).toUpperCase()})` };
  }
  return null;
}

function refuse(field: string, message: string, hint: string): never {
  throw new GovdbError('INVALID_INPUT', message, { hint, field });
}

function checkString(s: string, path: ReadonlyArray<PropertyKey>, isKey: boolean): void {
  const field = fieldPath(path);
  const what = isKey ? `a key of ${field}` : field;
  if (s.length > LIMITS.anyString) {
    refuse(field, `${what} has ${s.length} characters; no argument text may exceed ${LIMITS.anyString}.`, 'Send less text (see each field\'s maxLength in tools/list).');
  }
  const bad = unstorableChar(s);
  if (bad) {
    refuse(field, `${what} contains ${bad.what} at position ${bad.index}; it cannot be stored.`, 'Remove the character or escape it in your own encoding; text must be valid Unicode without NUL.');
  }
}

/**
 * Checks the raw `arguments` of a tools/call. Throws INVALID_INPUT naming the field; returns the
 * arguments unchanged.
 */
export function checkArguments(args: unknown): Record<string, unknown> {
  if (args === undefined || args === null) return {};
  if (typeof args !== 'object' || Array.isArray(args)) {
    refuse('(arguments)', 'The tool arguments must be a JSON object.', 'Send arguments as an object of named fields.');
  }
  let elements = 0;
  const stack: Array<{ value: unknown; path: PropertyKey[]; depth: number }> = [{ value: args, path: [], depth: 0 }];
  while (stack.length) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      checkString(value, path, false);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth > LIMITS.jsonDepth) {
      refuse(fieldPath(path), `${fieldPath(path.slice(0, 1))} is nested more than ${LIMITS.jsonDepth} levels deep.`, `Flatten the value: at most ${LIMITS.jsonDepth} levels of objects and arrays.`);
    }
    const entries: Array<[PropertyKey, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    elements += entries.length;
    if (elements > LIMITS.argumentElements) {
      refuse(fieldPath(path.slice(0, 1)), `The arguments hold more than ${LIMITS.argumentElements} array elements and object members (at ${fieldPath(path.slice(0, 1))}).`, 'Send smaller objects and arrays.');
    }
    for (const [key, child] of entries) {
      if (typeof key === 'string') checkString(key, [...path, key], true);
      stack.push({ value: child, path: [...path, key], depth: depth + 1 });
    }
  }
  return args as Record<string, unknown>;
}

/**
 * Characters refused in identifiers shown to people: C0/C1 controls (incl. ESC of ANSI sequences,
 * BEL, DEL), bidirectional embeddings/overrides/isolates and marks, zero-width and invisible
 * formatting characters (ZWSP, ZWNJ, ZWJ, word joiner, BOM, soft hyphen, invisible operators).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point of this pattern
const UNSAFE_IDENTIFIER = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/u;

/** The first character an identifier may not hold, as `U+XXXX`, or null. */
export function unsafeIdentifierChar(s: string): string | null {
  const m = UNSAFE_IDENTIFIER.exec(s);
  return m ? `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : null;
}

/**
 * A string shown to people as a name (label, tag): NFC-normalised, refused when it holds control,
 * bidirectional-override or zero-width characters. `max` is in characters, checked after NFC.
 */
export function identifierText(max: number, min = 0) {
  return z
    .string()
    .max(max)
    .min(min)
    .superRefine((s, ctx) => {
      const bad = unsafeIdentifierChar(s);
      if (bad) ctx.addIssue({ code: 'custom', message: `contains ${bad}: names may not hold control, bidirectional-override or zero-width characters` });
    })
    .transform((s) => s.normalize('NFC'));
}

/** A free JSON object argument (details, metadata, observed_metrics, params): at most LIMITS.jsonMembers members at its top level. */
export function jsonObject() {
  return z
    .record(z.string(), z.unknown())
    .refine((o) => Object.keys(o).length <= LIMITS.jsonMembers, { message: `has more than ${LIMITS.jsonMembers} members` })
    .meta({ maxProperties: LIMITS.jsonMembers });
}
