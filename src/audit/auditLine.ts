import { GovdbError } from '../errors';
import { canonicalJson, sha256Hex, toJsonData } from './canonicalJson';

/** What a governance write path hands to the audit log (see AuditLog.record). */
export interface AuditEventInput {
  agentId?: string | null;
  sessionId?: string | null;
  /** ^[a-z][a-z0-9_.:-]{0,63}$, e.g. `tool_call`, `lifecycle.paused`, `dialectic:synthesis`. */
  eventType: string;
  /** In [0, 1], or null/absent when the event carries none. */
  confidence?: number | null;
  /** Any JSON-serialisable object; stored as its JSON data (Dates become strings, undefined fields vanish). */
  details?: Record<string, unknown>;
}

/** One line of audit_log.jsonl, keys as written. */
export interface AuditLine {
  ts: string;
  agent_id: string | null;
  session_id: string | null;
  event_type: string;
  confidence: number | null;
  details: Record<string, unknown>;
  prev_hash: string | null;
  hash: string;
}

/** The key order lines are written in; the hash does not depend on it (canonical form sorts keys). */
export const LINE_KEYS = ['ts', 'agent_id', 'session_id', 'event_type', 'confidence', 'details', 'prev_hash', 'hash'] as const;

export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_.:-]{0,63}$/;
export const HASH_PATTERN = /^[0-9a-f]{64}$/;
/** UTC, millisecond precision, as Date.prototype.toISOString writes it. */
export const TS_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** A line longer than this is refused at record time: it keeps the mirror's read buffer bounded. */
export const MAX_LINE_BYTES = 1024 * 1024;

/** hash = sha256 hex of the canonical JSON of every field of the line except `hash` itself. */
export function lineHash(fields: Omit<AuditLine, 'hash'>): string {
  return sha256Hex(canonicalJson(fields));
}

/** The exact text of a line (without its newline): fields in LINE_KEYS order, details canonical. */
export function serializeLine(line: AuditLine): string {
  return (
    `{"ts":${JSON.stringify(line.ts)},"agent_id":${JSON.stringify(line.agent_id)},"session_id":${JSON.stringify(line.session_id)},` +
    `"event_type":${JSON.stringify(line.event_type)},"confidence":${JSON.stringify(line.confidence)},"details":${canonicalJson(line.details)},` +
    `"prev_hash":${JSON.stringify(line.prev_hash)},"hash":${JSON.stringify(line.hash)}}`
  );
}

/** What replaces an unpaired UTF-16 surrogate: U+FFFD REPLACEMENT CHARACTER (as String.prototype.toWellFormed and every UTF-8 encoder do). */
export const SURROGATE_REPLACEMENT = '\uFFFD';
/** What replaces NUL (U+0000), which PostgreSQL text and jsonb cannot hold: U+2400 SYMBOL FOR NULL, "␀". */
export const NUL_REPLACEMENT = '\u2400';

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNPAIRED_SURROGATES = new RegExp(UNPAIRED_SURROGATE.source, 'g');

/**
 * Text PostgreSQL's json and jsonb accept, deterministically: every unpaired surrogate becomes
 * U+FFFD and every NUL becomes U+2400 (docs/audit.md, "Line encoding"). Well-formed text without NUL
 * is returned unchanged (the same string object).
 */
export function pgSafeText(text: string): string {
  // the same as String.prototype.toWellFormed (ES2024; this project targets ES2022)
  let out = UNPAIRED_SURROGATE.test(text) ? text.replace(UNPAIRED_SURROGATES, SURROGATE_REPLACEMENT) : text;
  if (out.includes('\u0000')) out = out.replaceAll('\u0000', NUL_REPLACEMENT);
  return out;
}

/** pgSafeText applied to every string and object key of a JSON value (a new value only where something changed). */
export function pgSafeJson(value: unknown): unknown {
  if (typeof value === 'string') return pgSafeText(value);
  if (Array.isArray(value)) return value.map(pgSafeJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[pgSafeText(k)] = pgSafeJson(v);
    return out;
  }
  return value;
}

/** Why PostgreSQL would refuse a JSON value (a NUL or an unpaired surrogate in a string or key), or null. */
export function pgProblem(value: unknown, where = 'value'): string | null {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return `${where} contains NUL (\\u0000), which PostgreSQL jsonb and text refuse`;
    const m = UNPAIRED_SURROGATE.exec(value);
    if (m) return `${where} contains an unpaired surrogate \\u${m[0].charCodeAt(0).toString(16)} (at UTF-16 index ${m.index}), which PostgreSQL json refuses`;
    return null;
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const p = pgProblem(v, `${where}[${i}]`);
      if (p) return p;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = pgProblem(k, `key ${JSON.stringify(k)} of ${where}`) ?? pgProblem(v, `${where}.${k}`);
      if (p) return p;
    }
  }
  return null;
}

/** JSON escapes that decode to NUL or to a UTF-16 surrogate (paired or not), in either hex case. */
const NUL_OR_SURROGATE_ESCAPE = /\\u(?:0000|[dD][89a-fA-F])/;

/**
 * Whether the JSON text of a line may hold something pgProblem reports; false guarantees that
 * pgProblem(JSON.parse(text)) is null, so the mirror walks a parsed line only when this is true. A
 * NUL or a surrogate in a parsed string or key comes from an escape (`\u0000`, `\uD800`-`\uDFFF`) or
 * from the same character in the text itself; lines with a paired surrogate escape are walked too.
 */
export function textMayBePgUnsafe(text: string): boolean {
  return text.includes('\u0000') || NUL_OR_SURROGATE_ESCAPE.test(text) || UNPAIRED_SURROGATE.test(text);
}

/** Whether a JSON value holds a NUL character in any string or key (PostgreSQL text and jsonb cannot). */
export function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(hasNul);
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([k, v]) => k.includes('\u0000') || hasNul(v));
  return false;
}

function optionalText(name: string, value: unknown, problems: string[]): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') problems.push(`${name} must be a string or null, got ${typeof value}`);
  return typeof value === 'string' ? pgSafeText(value) : null;
}

/**
 * Validates an event against the rules of audit.events and returns its normalised fields, with every
 * string made PostgreSQL-safe (pgSafeText: unpaired surrogates → U+FFFD, NUL → U+2400), so the mirror
 * is never handed a line PostgreSQL refuses. Collects every problem before throwing.
 */
export function normaliseEvent(input: AuditEventInput): Omit<AuditLine, 'ts' | 'prev_hash' | 'hash'> {
  const problems: string[] = [];
  const agentId = optionalText('agentId', input.agentId, problems);
  const sessionId = optionalText('sessionId', input.sessionId, problems);
  if (typeof input.eventType !== 'string' || !EVENT_TYPE_PATTERN.test(input.eventType)) {
    problems.push(`eventType ${JSON.stringify(input.eventType)} must match ${EVENT_TYPE_PATTERN.source} (lowercase, e.g. "lifecycle.paused")`);
  }
  const confidence = input.confidence ?? null;
  if (confidence !== null && (typeof confidence !== 'number' || !Number.isFinite(confidence) || confidence < 0 || confidence > 1)) {
    problems.push(`confidence ${JSON.stringify(confidence)} must be a number between 0 and 1, or null`);
  }
  let details: Record<string, unknown> = {};
  if (input.details !== undefined && input.details !== null) {
    const data = typeof input.details === 'object' && !Array.isArray(input.details) ? toJsonData(input.details) : undefined;
    if (data === null || typeof data !== 'object' || Array.isArray(data)) problems.push('details must be a JSON object');
    else details = pgSafeJson(data) as Record<string, unknown>;
  }
  if (problems.length) {
    throw new GovdbError('INVALID_INPUT', `Invalid audit event: ${problems.join('; ')}`, { problems });
  }
  return { agent_id: agentId, session_id: sessionId, event_type: input.eventType, confidence, details };
}

/** Builds the chained line for an event; `text` has no trailing newline. */
export function buildLine(fields: Omit<AuditLine, 'ts' | 'prev_hash' | 'hash'>, ts: string, prevHash: string | null): { line: AuditLine; text: string } {
  const unhashed = { ts, ...fields, prev_hash: prevHash };
  // normaliseEvent made every string safe; this guards the invariant "every line written loads into PostgreSQL"
  const unsafe = pgProblem(unhashed);
  if (unsafe) throw new GovdbError('INTERNAL', `Refusing to write an audit line PostgreSQL would reject: ${unsafe}`);
  const line: AuditLine = { ...unhashed, hash: lineHash(unhashed) };
  const text = serializeLine(line);
  if (Buffer.byteLength(text) + 1 > MAX_LINE_BYTES) {
    throw new GovdbError('INVALID_INPUT', `Audit event is ${Buffer.byteLength(text)} bytes as a line; at most ${MAX_LINE_BYTES} are accepted`, {
      hint: 'Store large payloads elsewhere and put a reference (id, sha256) into details.',
    });
  }
  return { line, text };
}

export type LineCheck = { ok: true; line: AuditLine } | { ok: false; reason: string };

/**
 * Checks one complete line on its own: JSON object with exactly the eight keys and their types, the
 * hash over its content, and the byte-exact written form (which rules out duplicate keys, added
 * whitespace and re-ordered keys). Chaining to the previous line is checked by the caller.
 */
export function checkLine(text: string): LineCheck {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not valid JSON (${(err as Error).message})` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, reason: 'not a JSON object' };
  const obj = parsed as Record<string, unknown>;
  const keys = Object.keys(obj);
  const inWrittenOrder = keys.length === LINE_KEYS.length && keys.every((k, i) => k === LINE_KEYS[i]);
  const missing = inWrittenOrder ? [] : LINE_KEYS.filter((k) => !(k in obj));
  const extra = inWrittenOrder ? [] : keys.filter((k) => !(LINE_KEYS as readonly string[]).includes(k));
  if (missing.length || extra.length) {
    return { ok: false, reason: `keys differ from ${LINE_KEYS.join(',')}${missing.length ? `; missing ${missing.join(',')}` : ''}${extra.length ? `; unexpected ${extra.join(',')}` : ''}` };
  }
  const problems: string[] = [];
  if (typeof obj.ts !== 'string' || !TS_PATTERN.test(obj.ts) || Number.isNaN(Date.parse(obj.ts))) problems.push(`ts ${JSON.stringify(obj.ts)} is not a UTC ISO timestamp`);
  for (const k of ['agent_id', 'session_id'] as const) if (obj[k] !== null && typeof obj[k] !== 'string') problems.push(`${k} is not a string or null`);
  if (typeof obj.event_type !== 'string' || !EVENT_TYPE_PATTERN.test(obj.event_type)) problems.push(`event_type ${JSON.stringify(obj.event_type)} does not match ${EVENT_TYPE_PATTERN.source}`);
  if (obj.confidence !== null && (typeof obj.confidence !== 'number' || obj.confidence < 0 || obj.confidence > 1)) problems.push(`confidence ${JSON.stringify(obj.confidence)} is not in [0, 1] or null`);
  if (obj.details === null || typeof obj.details !== 'object' || Array.isArray(obj.details)) problems.push('details is not an object');
  if (obj.prev_hash !== null && (typeof obj.prev_hash !== 'string' || !HASH_PATTERN.test(obj.prev_hash))) problems.push('prev_hash is not 64 lowercase hex or null');
  if (typeof obj.hash !== 'string' || !HASH_PATTERN.test(obj.hash)) problems.push('hash is not 64 lowercase hex');
  if (problems.length) return { ok: false, reason: problems.join('; ') };
  const line = obj as unknown as AuditLine;
  // The hashed canonical form and the written form share every field's text; each is serialised once
  // (details, the only nested value, is the costly part). Equal to lineHash/serializeLine by
  // construction: canonical key order is agent_id < confidence < details < event_type < prev_hash <
  // session_id < ts, and every other value is a string, null or a finite number, whose canonical form
  // is JSON.stringify's (test/audit/auditLine.test.ts checks both against the reference functions).
  const ts = JSON.stringify(line.ts);
  const agentId = JSON.stringify(line.agent_id);
  const sessionId = JSON.stringify(line.session_id);
  const eventType = JSON.stringify(line.event_type);
  const confidence = JSON.stringify(line.confidence);
  const details = canonicalJson(line.details);
  const prevHash = JSON.stringify(line.prev_hash);
  const expected = sha256Hex(
    `{"agent_id":${agentId},"confidence":${confidence},"details":${details},"event_type":${eventType},"prev_hash":${prevHash},"session_id":${sessionId},"ts":${ts}}`,
  );
  if (expected !== line.hash) return { ok: false, reason: `hash mismatch: the line says ${line.hash}, its content hashes to ${expected} (content changed after it was written)` };
  const written = `{"ts":${ts},"agent_id":${agentId},"session_id":${sessionId},"event_type":${eventType},"confidence":${confidence},"details":${details},"prev_hash":${prevHash},"hash":"${line.hash}"}`;
  if (written !== text) return { ok: false, reason: 'not in the written form (whitespace, key order or duplicate keys changed)' };
  return { ok: true, line };
}
