import * as crypto from 'crypto';

/** Canonical JSON: object keys sorted at every level, no whitespace. Stable input for content hashes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

// crypto.hash (Node >= 20.12): a one-shot digest, cheaper than a Hash object for the short texts
// hashed once per legacy record.
const oneShot = typeof (crypto as { hash?: unknown }).hash === 'function' ? crypto.hash : null;

export function sha256Hex(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * The only form of an API key that may reach PostgreSQL: 'sha256:' || hex(sha256(key)). Legacy SQLite
 * rows sometimes already hold sha256(key) as 64 hex digits (the old verify_api_key accepted both);
 * those are kept as that hash rather than hashed twice.
 */
export function apiKeyHash(key: unknown): string | undefined {
  if (typeof key !== 'string' || key.trim() === '') return undefined;
  if (key.startsWith('sha256:') && HEX64.test(key.slice(7))) return key;
  if (HEX64.test(key)) return `sha256:${key}`;
  return `sha256:${sha256Hex(key)}`;
}

/** Keys whose values are credentials: never stored, logged or written to a report or quarantine. */
const SECRET_KEY = /(^|_)(api_?key|apikey|secret|password|passwd|token|access_?key|private_?key|session_?key)($|_)|^authorization$/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.replace(/([a-z])([A-Z])/g, '$1_$2'));
}

/** A deep copy with every credential-like value replaced by a marker (the value itself never leaves). */
export function scrubSecrets<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubSecrets(v)) as unknown as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = isSecretKey(k) && v !== null && v !== undefined && v !== '' ? '[redacted]' : scrubSecrets(v);
  }
  return out as T;
}
