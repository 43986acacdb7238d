import * as crypto from 'crypto';

/**
 * The canonical serialisation the audit hash chain is defined over (docs/audit.md): RFC 8785 (JCS)
 * for the JSON values a JSON.parse can produce. Object keys sorted by UTF-16 code units at every
 * level, no whitespace, strings and numbers exactly as ECMAScript JSON.stringify writes them.
 * Non-JSON values (undefined, functions, NaN, Infinity, bigint, symbols) are refused rather than
 * silently dropped or rewritten, so a hash never covers something other than what was written.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON has no representation for the number ${value}`);
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON has no representation for a value of type ${typeof value}`);
  }
}

/** Plain JSON data of any serialisable value: what JSON.parse(JSON.stringify(value)) yields. */
export function toJsonData(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? null : JSON.parse(text);
}

// crypto.hash (Node >= 20.12) is a one-shot digest without a Hash object: several times cheaper for
// the short texts of audit lines, which the mirror hashes once per line.
const oneShot = typeof (crypto as { hash?: unknown }).hash === 'function' ? crypto.hash : null;

export function sha256Hex(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}
