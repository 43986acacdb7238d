import { canonicalJson, scrubSecrets, sha256Hex } from '../canonical';
import { NormalizeContext, Normalized } from '../types';
import { isObject, num, str, ts } from './common';

/**
 * EISV history rows from the monitor's state document (agents/<id>_state.json, or the state_json of
 * a SQLite agent_state row). The per-update histories are parallel lists that grew together; lists
 * added to the monitor later are shorter, so every list is aligned to the END of timestamp_history.
 */
export interface StateRecord {
  agent_id: string;
  /** the entry's own time; or the anchor its time is derived from; null: derived from the agent's last update */
  recorded_at: string | null;
  /** microseconds before recorded_at (or the agent's last update) at which a derived entry is placed */
  derive_steps: number;
  anomalies: string[];
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

/**
 * Builds one row. Values outside today's CHECK ranges are kept as they were recorded, with the
 * anomaly value_out_of_range (the range in state.legacy_out_of_range); only a missing value, which
 * cannot be represented, rejects the row. `identity` is the row's content identity (raw time or
 * position, and values): stored as state.import_key.
 */
export function stateRow(agentId: string, recordedAt: string | null, v: StateValues, extra: Record<string, unknown>,
  opt: { deriveSteps?: number; anomalies?: string[]; identity: unknown }): Normalized<StateRecord> {
  const values = { energy: num(v.E), information: num(v.I), entropy: num(v.S), void: num(v.V), coherence: num(v.coherence), risk: num(v.risk) };
  const missing = Object.entries(values).filter(([, x]) => x === undefined).map(([k]) => k);
  if (missing.length) return { ok: false, reason: `state has no numeric ${missing.join(', ')}` };
  const row = values as Record<string, number>;
  const anomalies = [...(opt.anomalies ?? [])];
  const state: Record<string, unknown> = { ...extra };
  const outside: string[] = [];
  for (const [k, lo, hi] of RANGES) {
    const x = row[k as string]!;
    if (x < lo || x > hi) outside.push(`${k} ${x} outside ${lo}..${hi}`);
  }
  if (outside.length) {
    anomalies.push('value_out_of_range');
    state.legacy_out_of_range = outside;
  }
  const phi = num(v.phi);
  if (phi === undefined) state.phi_recorded = false;
  const rawDecision = str(v.decision);
  if (rawDecision) state.legacy_decision = rawDecision;
  const regime = regimeOf(v.regime);
  if (!regime) state.legacy_regime = v.regime ?? null;
  state.import_key = sha256Hex(canonicalJson([agentId, opt.identity, row.energy, row.information, row.entropy, row.void, row.coherence, row.risk, phi ?? null, v.regime ?? null, v.decision ?? null]));
  return {
    ok: true,
    value: {
      agent_id: agentId, recorded_at: recordedAt, derive_steps: opt.deriveSteps ?? 0, anomalies,
      energy: row.energy!, information: row.information!, entropy: row.entropy!,
      void: row.void!, coherence: row.coherence!, risk: row.risk!, phi: phi ?? 0, regime: regime ?? 'UNKNOWN',
      verdict: verdictFor(row.risk!), decision: rawDecision ? DECISIONS[rawDecision] ?? null : null, health_status: healthFor(row.risk!), state,
    },
  };
}

const HISTORY_FIELDS: [keyof StateValues, string][] = [
  ['E', 'E_history'], ['I', 'I_history'], ['S', 'S_history'], ['V', 'V_history'], ['coherence', 'coherence_history'],
  ['risk', 'risk_history'], ['phi', 'phi_history'], ['regime', 'regime_history'], ['decision', 'decision_history'],
];
/** The lists that hold one value per update: their longest length is the number of entries. */
const VALUE_LISTS = ['E_history', 'I_history', 'S_history', 'V_history', 'coherence_history', 'risk_history'];
/** Fields of a state document that say when it was written (first match wins). */
const DOCUMENT_TIMES = ['last_update', 'last_updated', 'updated_at', 'timestamp', 'saved_at', 'exported_at'];

/** Scalars of the document that describe the monitor at its last update (kept on the latest row). */
function latestScalars(doc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) if (!k.endsWith('_history') && k !== 'history') out[k] = v;
  return scrubSecrets(out);
}

/** A history export nests the lists under `history`; the monitor's own file has them at the top. */
export function flattenStateDocument(doc: Record<string, unknown>): Record<string, unknown> {
  return isObject(doc.history) ? { ...doc, ...doc.history } : doc;
}

/**
 * Every entry of every *_history list is one row. Lists are aligned to their END (lists added to
 * the monitor later are shorter). An entry with its own timestamp_history time keeps it; entries
 * before the first timestamp (more values than timestamps), or all entries when there is no
 * timestamp_history, get a time derived from the record itself: the first timestamp, else the
 * document's own time (last_update, updated_at, …, or `recordTime` of a SQLite row), else the
 * agent's last update — stepped back one microsecond per entry so the order is kept — and are
 * flagged recorded_at_derived. A file's modification time is never used.
 */
export function stateRowsFromDocument(agentId: string, input: Record<string, unknown>, recordTime: string | undefined, ctx: NormalizeContext):
  { index: number; raw: unknown; result: Normalized<StateRecord> }[] {
  const doc = flattenStateDocument(input);
  const times = Array.isArray(doc.timestamp_history) ? doc.timestamp_history : [];
  const t = times.length;
  const n = Math.max(t, ...VALUE_LISTS.map((k) => (Array.isArray(doc[k]) ? (doc[k] as unknown[]).length : 0)));
  const base = { legacy_source: ctx.file };
  let docTime: string | undefined;
  for (const k of DOCUMENT_TIMES) if (!docTime) docTime = ts(doc[k], ctx);
  docTime ??= recordTime;
  if (n === 0 || !VALUE_LISTS.some((k) => Array.isArray(doc[k]) && (doc[k] as unknown[]).length)) {
    const risk = doc.risk ?? doc.risk_score ?? (Array.isArray(doc.risk_history) ? doc.risk_history[doc.risk_history.length - 1] : undefined);
    const decision = Array.isArray(doc.decision_history) ? doc.decision_history[doc.decision_history.length - 1] : doc.decision;
    const anomalies = docTime ? [] : ['recorded_at_derived'];
    return [{ index: 0, raw: latestScalars(doc), result: stateRow(agentId, docTime ?? null, { ...doc, risk, decision },
      { ...base, latest: latestScalars(doc), recorded_at_source: docTime ? 'document time' : "agent's last update" }, { anomalies, identity: ['single', docTime ?? null] }) }];
  }
  const rows: { index: number; raw: unknown; result: Normalized<StateRecord> }[] = [];
  const firstTimed = n - t; // entry index of timestamp_history[0]
  for (let i = 0; i < n; i++) {
    const values: StateValues = {};
    const j = i - firstTimed;
    const raw: Record<string, unknown> = { timestamp: j >= 0 ? times[j] : null };
    for (const [field, list] of HISTORY_FIELDS) {
      const arr = doc[list];
      if (!Array.isArray(arr)) continue;
      const k = arr.length - n + i;
      if (k >= 0) {
        values[field] = arr[k];
        raw[list] = arr[k];
      }
    }
    const lambda = Array.isArray(doc.lambda1_history) ? doc.lambda1_history[doc.lambda1_history.length - n + i] : undefined;
    const extra: Record<string, unknown> = { ...base };
    if (lambda !== undefined) extra.lambda1 = lambda;
    if (i === n - 1) {
      extra.latest = latestScalars(doc);
      if (values.regime === undefined) values.regime = doc.regime;
    }
    if (j >= 0) {
      const recorded = ts(times[j], ctx);
      rows.push({ index: i, raw, result: recorded ? stateRow(agentId, recorded, values, extra, { identity: String(times[j]) })
        : { ok: false, reason: `timestamp_history[${j}] ${JSON.stringify(times[j])} is not a timestamp` } });
      continue;
    }
    // no timestamp of its own: derived from the record, flagged
    const anchor = t > 0 ? ts(times[0], ctx) : docTime;
    const anchorIndex = t > 0 ? firstTimed : n - 1;
    extra.recorded_at_source = t > 0 ? 'derived: before timestamp_history[0]' : docTime ? 'derived: document time' : "derived: agent's last update";
    rows.push({ index: i, raw, result: stateRow(agentId, anchor ?? null, values, extra,
      { deriveSteps: anchorIndex - i, anomalies: ['recorded_at_derived'], identity: `#${i}/${n}` }) });
  }
  return rows;
}

export function looksLikeStateDocument(v: unknown): v is Record<string, unknown> {
  if (!isObject(v)) return false;
  const d = flattenStateDocument(v);
  return ('E' in d && 'I' in d && 'S' in d && 'V' in d) || Array.isArray(d.E_history);
}
