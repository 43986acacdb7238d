import { scrubSecrets } from '../canonical';
import { NormalizeContext, Normalized } from '../types';
import { isObject, num, str, ts } from './common';

/**
 * EISV history rows from the monitor's state document (agents/<id>_state.json, or the state_json of
 * a SQLite agent_state row). The per-update histories are parallel lists that grew together; lists
 * added to the monitor later are shorter, so every list is aligned to the END of timestamp_history.
 */
export interface StateRecord {
  agent_id: string;
  recorded_at: string;
  energy: number;
  information: number;
  entropy: number;
  void: number;
  coherence: number;
  risk: number;
  phi: number;
  regime: string;
  verdict: string;
  decision: string | null;
  health_status: string;
  state: Record<string, unknown>;
}

/** Risk thresholds of the legacy server in Nov–Dec 2025 (config/governance_config.py). */
export const RISK_APPROVE = 0.35;
export const RISK_REVISE = 0.6;

export function verdictFor(risk: number): string {
  return risk < RISK_APPROVE ? 'safe' : risk < RISK_REVISE ? 'caution' : 'high-risk';
}

export function healthFor(risk: number): string {
  return risk < RISK_APPROVE ? 'healthy' : risk < RISK_REVISE ? 'moderate' : 'critical';
}

const DECISIONS: Record<string, string> = {
  proceed: 'proceed', approve: 'proceed', guide: 'guide', revise: 'guide', pause: 'pause', reject: 'pause',
};

const RANGES: [keyof StateRecord, number, number][] = [
  ['energy', 0, 1], ['information', 0, 1], ['entropy', 0, 2], ['void', -2, 2], ['coherence', 0, 1], ['risk', 0, 1],
];

export function regimeOf(v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const r = v.trim().toUpperCase().replace(/[^A-Z_]+/g, '_');
  return /^[A-Z_]{1,32}$/.test(r) ? r : undefined;
}

export interface StateValues {
  E?: unknown; I?: unknown; S?: unknown; V?: unknown; coherence?: unknown; risk?: unknown; phi?: unknown;
  regime?: unknown; decision?: unknown;
}

/** Builds and range-checks one row; a value outside the schema's CHECK ranges rejects the row. */
export function stateRow(agentId: string, recordedAt: string, v: StateValues, extra: Record<string, unknown>): Normalized<StateRecord> {
  const values = { energy: num(v.E), information: num(v.I), entropy: num(v.S), void: num(v.V), coherence: num(v.coherence), risk: num(v.risk) };
  const missing = Object.entries(values).filter(([, x]) => x === undefined).map(([k]) => k);
  if (missing.length) return { ok: false, reason: `state has no numeric ${missing.join(', ')}` };
  const row = values as Record<string, number>;
  for (const [k, lo, hi] of RANGES) {
    const x = row[k as string]!;
    if (x < lo || x > hi) return { ok: false, reason: `${k} ${x} is outside ${lo}..${hi} (core.agent_state CHECK agent_state_${k}_range)` };
  }
  const phi = num(v.phi);
  const state: Record<string, unknown> = { ...extra };
  if (phi === undefined) state.phi_recorded = false;
  const rawDecision = str(v.decision);
  if (rawDecision) state.legacy_decision = rawDecision;
  const regime = regimeOf(v.regime);
  if (!regime) state.legacy_regime = v.regime ?? null;
  return {
    ok: true,
    value: {
      agent_id: agentId, recorded_at: recordedAt, energy: row.energy!, information: row.information!, entropy: row.entropy!,
      void: row.void!, coherence: row.coherence!, risk: row.risk!, phi: phi ?? 0, regime: regime ?? 'UNKNOWN',
      verdict: verdictFor(row.risk!), decision: rawDecision ? DECISIONS[rawDecision] ?? null : null, health_status: healthFor(row.risk!), state,
    },
  };
}

const HISTORY_FIELDS: [keyof StateValues, string][] = [
  ['E', 'E_history'], ['I', 'I_history'], ['S', 'S_history'], ['V', 'V_history'], ['coherence', 'coherence_history'],
  ['risk', 'risk_history'], ['phi', 'phi_history'], ['regime', 'regime_history'], ['decision', 'decision_history'],
];

/** Scalars of the document that describe the monitor at its last update (kept on the latest row). */
function latestScalars(doc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) if (!k.endsWith('_history')) out[k] = v;
  return scrubSecrets(out);
}

export function stateRowsFromDocument(agentId: string, doc: Record<string, unknown>, fallbackTime: string | undefined, ctx: NormalizeContext):
  { index: number; raw: unknown; result: Normalized<StateRecord> }[] {
  const times = Array.isArray(doc.timestamp_history) ? doc.timestamp_history : [];
  const n = times.length;
  const base = { legacy_source: ctx.file };
  if (n === 0) {
    const recorded = fallbackTime;
    if (!recorded) return [{ index: 0, raw: latestScalars(doc), result: { ok: false, reason: 'state has no timestamp_history and no other time to record it at' } }];
    const risk = doc.risk ?? doc.risk_score ?? (Array.isArray(doc.risk_history) ? doc.risk_history[doc.risk_history.length - 1] : undefined);
    const decision = Array.isArray(doc.decision_history) ? doc.decision_history[doc.decision_history.length - 1] : doc.decision;
    return [{ index: 0, raw: latestScalars(doc), result: stateRow(agentId, recorded, { ...doc, risk, decision } as StateValues, { ...base, latest: latestScalars(doc), recorded_at_source: 'file time' }) }];
  }
  const rows: { index: number; raw: unknown; result: Normalized<StateRecord> }[] = [];
  for (let i = 0; i < n; i++) {
    const values: StateValues = {};
    const raw: Record<string, unknown> = { timestamp: times[i] };
    for (const [field, list] of HISTORY_FIELDS) {
      const arr = doc[list];
      if (!Array.isArray(arr)) continue;
      const j = arr.length - n + i;
      if (j >= 0) {
        values[field] = arr[j];
        raw[list] = arr[j];
      }
    }
    const lambda = Array.isArray(doc.lambda1_history) ? doc.lambda1_history[doc.lambda1_history.length - n + i] : undefined;
    const extra: Record<string, unknown> = { ...base, update: i + 1 };
    if (lambda !== undefined) extra.lambda1 = lambda;
    if (i === n - 1) {
      extra.latest = latestScalars(doc);
      if (values.regime === undefined) values.regime = doc.regime;
    }
    const recorded = ts(times[i], ctx);
    rows.push({
      index: i,
      raw,
      result: recorded ? stateRow(agentId, recorded, values, extra) : { ok: false, reason: `timestamp_history[${i}] ${JSON.stringify(times[i])} is not a timestamp` },
    });
  }
  return rows;
}

export function looksLikeStateDocument(v: unknown): v is Record<string, unknown> {
  return isObject(v) && (('E' in v && 'I' in v && 'S' in v && 'V' in v) || Array.isArray(v.E_history));
}
