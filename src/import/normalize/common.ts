import { NormalizeContext } from '../types';
import { toTimestamp } from '../timezone';

export const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9_.:@+-]{0,127}$/;

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

export function ts(v: unknown, ctx: NormalizeContext): string | undefined {
  return v === null || v === undefined || v === '' ? undefined : toTimestamp(v, ctx.zone);
}

/** Parses a JSON column of a legacy SQLite row; a broken value yields `fallback` and a problem. */
export function jsonColumn(v: unknown, fallback: unknown, problems: string[], column: string): unknown {
  if (v === null || v === undefined || v === '') return fallback;
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch (err) {
    problems.push(`column ${column} holds invalid JSON (${(err as Error).message})`);
    return fallback;
  }
}

/**
 * A reference to an agent in a legacy record: refused only when it cannot be represented (see
 * legacyAgentId); an id outside today's format is kept (its placeholder agent carries the anomaly
 * agent_id_format).
 */
export function checkAgentId(id: unknown, what: string): string | undefined {
  const r = legacyAgentId(id, what);
  return r.ok ? undefined : r.reason;
}

export function tooLong(v: string | undefined, max: number, what: string): string | undefined {
  return v !== undefined && [...v].length > max ? `${what} has ${[...v].length} characters, more than the ${max} the schema allows` : undefined;
}

/** The later of two normalised timestamps. */
export function later(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/**
 * An agent id as the legacy server wrote it. Today's format (AGENT_ID) is an invariant of live
 * writes; a legacy id outside it (a shell accident such as `brand_new_agent_$(date +%s)` or
 * `--help`) is still an identity that other rows refer to, so it is kept with the anomaly
 * `agent_id_format`. Only an id that cannot be represented is refused: missing, over 256
 * characters, or holding control characters.
 */
export function legacyAgentId(id: unknown, what: string): { ok: true; id: string; anomalies: string[] } | { ok: false; reason: string } {
  if (typeof id !== 'string' || id === '') return { ok: false, reason: `${what} is missing` };
  if ([...id].length > 256) return { ok: false, reason: `${what} has ${[...id].length} characters, more than 256` };
  // eslint-disable-next-line no-control-regex -- matching control characters is the point of this pattern
  if (/[\u0000-\u001f\u007f]/.test(id)) return { ok: false, reason: `${what} ${JSON.stringify(id.slice(0, 140))} holds control characters` };
  return { ok: true, id, anomalies: AGENT_ID.test(id) ? [] : ['agent_id_format'] };
}

/** A 0/1 (or "true"/"false") encoding of a boolean read as meant; undefined when it is none. */
export function legacyBoolean(v: unknown): boolean | null | undefined {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === 1) return v === 1;
  if (v === '0' || v === '1') return v === '1';
  if (v === 'true' || v === 'false') return v === 'true';
  return undefined;
}
