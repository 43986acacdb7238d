import { scrubSecrets } from '../canonical';
import { NormalizeContext, Normalized } from '../types';
import { checkAgentId, isObject, num, str, ts } from './common';

export interface SessionRecord {
  session_id: string;
  agent_id: string;
  client_type: string | null;
  metadata: Record<string, unknown>;
  created_at: string;
  last_active_at: string;
  expires_at: string;
}

/** A row of SQLite session_identities (JSON columns already parsed). */
export function normalizeSession(r: Record<string, unknown>, ctx: NormalizeContext): Normalized<SessionRecord> {
  const id = str(r.session_id);
  if (!id || id.length < 8 || id.length > 256) return { ok: false, reason: `session_id must be 8..256 characters (CHECK sessions_id_length), got ${id ? id.length : 0}` };
  const bad = checkAgentId(r.agent_id, 'agent_id');
  if (bad) return { ok: false, reason: bad };
  const created = ts(r.created_at, ctx);
  const last = ts(r.last_active ?? r.last_active_at, ctx) ?? created;
  const expires = ts(r.expires_at, ctx);
  if (!created || !last || !expires) return { ok: false, reason: 'created_at, last_active and expires_at must all be timestamps' };
  if (Date.parse(expires) <= Date.parse(created)) return { ok: false, reason: `expires_at ${r.expires_at} is not after created_at ${r.created_at} (CHECK sessions_expiry_after_creation)` };
  const metadata: Record<string, unknown> = { legacy_source: ctx.file };
  if (r.is_active !== undefined && r.is_active !== null) metadata.is_active = r.is_active === 1 || r.is_active === true;
  if (isObject(r.client_info) && Object.keys(r.client_info).length) metadata.client_info = scrubSecrets(r.client_info);
  if (isObject(r.metadata) && Object.keys(r.metadata).length) metadata.legacy = scrubSecrets(r.metadata);
  return { ok: true, value: { session_id: id, agent_id: r.agent_id as string, client_type: str(r.client_type) ?? null, metadata, created_at: created, last_active_at: last, expires_at: expires } };
}

export interface CalibrationRecord {
  version: number;
  bin_lower: number;
  bin_upper: number;
  count: number;
  predicted_correct: number;
  actual_correct: number;
  confidence_sum: number;
  updated_at: string | null;
}

const BIN_KEY = /^\s*(\d(?:\.\d+)?)\s*-\s*(\d(?:\.\d+)?)\s*$/;

/** One calibration bin ("0.9-1.0": {count, predicted_correct, actual_correct, confidence_sum}) as version 1. */
export function normalizeCalibrationBin(key: string, bin: unknown, updatedAt: string | null): Normalized<CalibrationRecord> {
  const m = BIN_KEY.exec(key);
  if (!m) return { ok: false, reason: `bin key ${JSON.stringify(key)} is not "lower-upper"` };
  const lower = Number(m[1]);
  const upper = Number(m[2]);
  if (!(lower >= 0 && upper <= 1 && lower < upper) || Math.round(lower * 100) !== lower * 100 || Math.round(upper * 100) !== upper * 100) {
    return { ok: false, reason: `bin ${key} is not within 0..1 with two decimals (CHECK calibration_bin_range)` };
  }
  if (!isObject(bin)) return { ok: false, reason: `bin ${key} is not an object` };
  const count = num(bin.count) ?? 0;
  const predicted = num(bin.predicted_correct) ?? 0;
  const actual = num(bin.actual_correct) ?? 0;
  const conf = num(bin.confidence_sum) ?? 0;
  if (!Number.isInteger(count) || count < 0 || predicted < 0 || actual < 0 || actual > count || conf < 0 || conf > count) {
    return { ok: false, reason: `bin ${key} counts are inconsistent: count ${count}, predicted_correct ${predicted}, actual_correct ${actual}, confidence_sum ${conf} (CHECK calibration_counts)` };
  }
  return { ok: true, value: { version: 1, bin_lower: lower, bin_upper: upper, count, predicted_correct: predicted, actual_correct: actual, confidence_sum: conf, updated_at: updatedAt } };
}

export function looksLikeCalibration(v: unknown): v is Record<string, unknown> {
  return isObject(v) && isObject(v.bins);
}

export { ts as normalizeTime };
export type { NormalizeContext };
