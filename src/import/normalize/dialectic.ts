import { dialecticMessageTypeValues } from '../../db/generated/enums';
import { canonicalJson, scrubSecrets, sha256Hex } from '../canonical';
import { NormalizeContext, Normalized } from '../types';
import { isObject, later, legacyAgentId, legacyBoolean, num, str, tooLong, ts } from './common';

const SESSION_TYPES: Record<string, string> = { recovery: 'recovery', review: 'review', dispute: 'dispute', exploration: 'review' };
const PHASE_STATUS: Record<string, string> = {
  thesis: 'active', antithesis: 'active', synthesis: 'active', resolved: 'resolved', escalated: 'escalated', failed: 'failed',
};
/** Session phases of other eras of the legacy server, mapped to ours (the original is kept in legacy_original.phase). */
const LEGACY_PHASES: Record<string, string> = {
  awaiting_thesis: 'thesis', awaiting_antithesis: 'antithesis', awaiting_synthesis: 'synthesis', negotiation: 'synthesis',
  negotiating: 'synthesis', complete: 'resolved', completed: 'resolved', converged: 'resolved', timeout: 'failed',
  timed_out: 'failed', expired: 'failed', abandoned: 'failed', error: 'failed', cancelled: 'failed', canceled: 'failed',
};
/** Legacy session statuses (SQLite `status` column) and what they mean today. */
const LEGACY_STATUS: Record<string, string> = {
  active: 'active', resolved: 'resolved', escalated: 'escalated', failed: 'failed', completed: 'resolved', complete: 'resolved',
  timeout: 'failed', timed_out: 'failed', expired: 'failed', abandoned: 'failed', cancelled: 'failed', canceled: 'failed',
};
const MESSAGE_TYPES = new Set<string>(dialecticMessageTypeValues);
const MAPPED = new Set([
  'session_id', 'paused_agent_id', 'reviewer_agent_id', 'phase', 'synthesis_round', 'max_synthesis_rounds', 'transcript',
  'resolution', 'created_at', 'updated_at', 'discovery_id', 'session_type', 'topic', 'reason', 'phase_deadline', 'resolved_at', 'status', 'messages',
]);

export interface MessageRecord {
  seq: number;
  message_type: string;
  agent_id: string | null;
  root_cause: string | null;
  proposed_conditions: unknown[];
  reasoning: string | null;
  observed_metrics: Record<string, unknown>;
  concerns: unknown[];
  agrees: boolean | null;
  signature: string | null;
  created_at: string;
  anomalies: string[];
  /** original values of fields that were mapped (phase, agrees), or null */
  legacy_original: Record<string, unknown> | null;
}

export interface DialecticRecord {
  id: string;
  paused_agent_id: string;
  reviewer_agent_id: string | null;
  session_type: string;
  phase: string;
  status: string;
  topic: string | null;
  reason: string | null;
  synthesis_round: number;
  max_synthesis_rounds: number;
  resolution: Record<string, unknown> | null;
  discovery_id: string | null;
  created_at: string;
  updated_at: string;
  phase_deadline: string | null;
  resolved_at: string | null;
  messages: MessageRecord[];
  anomalies: string[];
  legacy_original: Record<string, unknown> | null;
  import_rank: string;
}

function list(v: unknown): unknown[] {
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function text(v: unknown): string | null {
  return typeof v === 'string' ? v : v === null || v === undefined ? null : JSON.stringify(v);
}

/**
 * One transcript entry. Obvious encodings are read as meant (`agrees` 0/1 → boolean); a phase that
 * is not a message type of ours (e.g. "failed", written when a round failed) becomes a `system`
 * message that keeps its agent, with the anomaly message_phase_mapped and the original phase in
 * legacy_original. Only what cannot be represented is refused.
 */
export function normalizeMessage(m: unknown, index: number, fallbackTime: string, ctx: NormalizeContext): Normalized<MessageRecord> {
  if (!isObject(m)) return { ok: false, reason: `transcript[${index}] is not an object` };
  const anomalies: string[] = [];
  const original: Record<string, unknown> = {};
  const legacyType = str(m.phase) ?? str(m.message_type);
  if (!legacyType) return { ok: false, reason: `transcript[${index}] has no phase (message type)` };
  let type = legacyType;
  if (!MESSAGE_TYPES.has(legacyType)) {
    type = 'system';
    anomalies.push('message_phase_mapped');
    original.phase = legacyType;
  }
  let agent: string | null = null;
  if (m.agent_id !== null && m.agent_id !== undefined && m.agent_id !== '') {
    const idr = legacyAgentId(m.agent_id, `transcript[${index}] agent_id`);
    if (!idr.ok) return { ok: false, reason: idr.reason };
    agent = idr.id;
    if (idr.anomalies.length) anomalies.push(...idr.anomalies);
    if (type === 'system') anomalies.push('system_message_with_agent');
  } else if (type !== 'system') return { ok: false, reason: `transcript[${index}] agent_id is missing` };
  const created = m.timestamp === undefined || m.timestamp === null ? fallbackTime : ts(m.timestamp, ctx);
  if (!created) return { ok: false, reason: `transcript[${index}] timestamp ${JSON.stringify(m.timestamp)} is not a timestamp` };
  if (m.timestamp === undefined || m.timestamp === null) anomalies.push('created_at_derived');
  const rootCause = text(m.root_cause);
  const reasoning = text(m.reasoning);
  const long = tooLong(rootCause ?? undefined, 20000, `transcript[${index}] root_cause`) ?? tooLong(reasoning ?? undefined, 20000, `transcript[${index}] reasoning`);
  if (long) return { ok: false, reason: long };
  const metrics = m.observed_metrics;
  if (metrics !== null && metrics !== undefined && !isObject(metrics)) return { ok: false, reason: `transcript[${index}] observed_metrics is not an object` };
  const agrees = legacyBoolean(m.agrees);
  if (agrees === undefined) return { ok: false, reason: `transcript[${index}] agrees ${JSON.stringify(m.agrees)} is not a boolean (nor 0/1)` };
  if (typeof m.agrees !== 'boolean' && m.agrees !== null && m.agrees !== undefined) original.agrees = m.agrees;
  return {
    ok: true,
    value: {
      seq: index + 1, message_type: type, agent_id: agent, root_cause: rootCause,
      proposed_conditions: scrubSecrets(list(m.proposed_conditions)), reasoning, observed_metrics: scrubSecrets((metrics as Record<string, unknown>) ?? {}),
      concerns: scrubSecrets(list(m.concerns)), agrees, signature: str(m.signature) ?? null, created_at: created,
      anomalies: [...new Set(anomalies)], legacy_original: Object.keys(original).length ? original : null,
    },
  };
}

/**
 * One dialectic session with its transcript, as it happened. Today's rules (a session cannot review
 * itself, a resolution only in phase resolved, the rounds range) are invariants of live writes: a
 * legacy session that breaks one is kept with the anomaly named after the rule
 * (self_review, resolution_before_resolved, resolved_without_resolution, rounds_out_of_range).
 */
export function normalizeDialectic(d: Record<string, unknown>, ctx: NormalizeContext):
  { result: Normalized<DialecticRecord>; rejectedMessages: { index: number; raw: unknown; reason: string }[] } {
  const fail = (reason: string) => ({ result: { ok: false as const, reason }, rejectedMessages: [] });
  const id = str(d.session_id) ?? str(d.id);
  if (!id) return fail('session_id is missing');
  const anomalies: string[] = [];
  const original: Record<string, unknown> = { legacy_source: ctx.file };
  const paused = legacyAgentId(d.paused_agent_id, 'paused_agent_id');
  if (!paused.ok) return fail(paused.reason);
  let reviewer: string | null = null;
  if (d.reviewer_agent_id !== null && d.reviewer_agent_id !== undefined && d.reviewer_agent_id !== '') {
    const r = legacyAgentId(d.reviewer_agent_id, 'reviewer_agent_id');
    if (!r.ok) return fail(r.reason);
    reviewer = r.id;
    if (reviewer === paused.id) anomalies.push('self_review');
  }
  const legacyType = str(d.session_type) ?? 'recovery';
  const sessionType = SESSION_TYPES[legacyType];
  if (!sessionType) return fail(`session_type ${JSON.stringify(d.session_type)} is not one of ${Object.keys(SESSION_TYPES).join(', ')}`);
  const legacyPhase = str(d.phase) ?? 'thesis';
  let phase = PHASE_STATUS[legacyPhase] ? legacyPhase : LEGACY_PHASES[legacyPhase];
  const legacyStatus = str(d.status);
  const statusFromColumn = legacyStatus ? LEGACY_STATUS[legacyStatus] : undefined;
  if (!phase && statusFromColumn) phase = statusFromColumn === 'active' ? 'thesis' : statusFromColumn;
  if (!phase) return fail(`phase ${JSON.stringify(d.phase)} is none of ${[...Object.keys(PHASE_STATUS), ...Object.keys(LEGACY_PHASES)].join(', ')}`);
  if (phase !== legacyPhase) {
    anomalies.push('phase_mapped');
    original.phase = legacyPhase;
  }
  const status = PHASE_STATUS[phase]!;
  if (legacyStatus && statusFromColumn !== status) {
    anomalies.push('status_vs_phase');
    original.status = legacyStatus;
  }
  const resolution = d.resolution === null || d.resolution === undefined ? null : d.resolution;
  if (resolution !== null && !isObject(resolution)) return fail('resolution is not an object');
  if (status === 'resolved' && !resolution) anomalies.push('resolved_without_resolution');
  if (status !== 'resolved' && resolution) anomalies.push('resolution_before_resolved');
  const created = ts(d.created_at, ctx);
  if (!created) return fail(`created_at ${JSON.stringify(d.created_at ?? null)} is not a timestamp`);
  const round = num(d.synthesis_round) ?? 0;
  const maxRounds = num(d.max_synthesis_rounds) ?? 5;
  if (!Number.isInteger(round) || !Number.isInteger(maxRounds)) return fail(`synthesis_round ${JSON.stringify(d.synthesis_round)} / max_synthesis_rounds ${JSON.stringify(d.max_synthesis_rounds)} are not integers`);
  if (round < 0 || maxRounds < 1 || maxRounds > 50 || round > maxRounds + 1) anomalies.push('rounds_out_of_range');
  const topic = str(d.topic) ?? null;
  const long = tooLong(topic ?? undefined, 2000, 'topic');
  if (long) return fail(long);
  const discovery = d.discovery_id === null || d.discovery_id === undefined ? null : String(d.discovery_id);

  const messages: MessageRecord[] = [];
  const rejectedMessages: { index: number; raw: unknown; reason: string }[] = [];
  const transcript = Array.isArray(d.transcript) ? d.transcript : Array.isArray(d.messages) ? d.messages : [];
  let updated = later(created, ts(d.updated_at, ctx))!;
  transcript.forEach((m, i) => {
    const r = normalizeMessage(m, i, created, ctx);
    if (r.ok) {
      messages.push(r.value);
      updated = later(updated, r.value.created_at)!;
    } else rejectedMessages.push({ index: i, raw: scrubSecrets(m), reason: r.reason });
  });
  const resolutionTime = resolution ? ts((resolution).timestamp, ctx) : undefined;
  updated = later(updated, resolutionTime)!;

  // fields with no column: kept in `reason` as JSON so nothing is lost
  const legacy: Record<string, unknown> = {};
  if (legacyType !== sessionType) legacy.session_type = legacyType;
  for (const [k, v] of Object.entries(d)) {
    if (MAPPED.has(k) || v === null || v === undefined) continue;
    if (isObject(v) && Object.keys(v).length === 0) continue;
    legacy[k] = v;
  }
  const reasonText = str(d.reason) ?? null;
  const reason = Object.keys(legacy).length ? JSON.stringify({ reason: reasonText, legacy: scrubSecrets(legacy) }) : reasonText;

  const value: Omit<DialecticRecord, 'import_rank'> = {
    id, paused_agent_id: paused.id, reviewer_agent_id: reviewer, session_type: sessionType, phase, status, topic, reason,
    synthesis_round: round, max_synthesis_rounds: maxRounds, resolution: resolution ? scrubSecrets(resolution) : null,
    discovery_id: discovery, created_at: created, updated_at: updated, phase_deadline: ts(d.phase_deadline, ctx) ?? null,
    resolved_at: status === 'resolved' ? ts(d.resolved_at, ctx) ?? resolutionTime ?? updated : null, messages,
    anomalies, legacy_original: original,
  };
  return { rejectedMessages, result: { ok: true, value: { ...value, import_rank: sha256Hex(canonicalJson(value)) } } };
}

export function looksLikeDialecticSession(v: unknown): v is Record<string, unknown> {
  return isObject(v) && typeof v.session_id === 'string' && 'paused_agent_id' in v;
}
