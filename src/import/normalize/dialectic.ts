import { scrubSecrets } from '../canonical';
import { NormalizeContext, Normalized } from '../types';
import { checkAgentId, isObject, later, num, str, tooLong, ts } from './common';

const SESSION_TYPES: Record<string, string> = { recovery: 'recovery', review: 'review', dispute: 'dispute', exploration: 'review' };
const PHASE_STATUS: Record<string, string> = {
  thesis: 'active', antithesis: 'active', synthesis: 'active', resolved: 'resolved', escalated: 'escalated', failed: 'failed',
};
const MESSAGE_TYPES = new Set(['thesis', 'antithesis', 'synthesis', 'system']);
const MAPPED = new Set([
  'session_id', 'paused_agent_id', 'reviewer_agent_id', 'phase', 'synthesis_round', 'max_synthesis_rounds', 'transcript',
  'resolution', 'created_at', 'updated_at', 'discovery_id', 'session_type', 'topic', 'reason', 'phase_deadline', 'resolved_at',
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
}

function list(v: unknown): unknown[] {
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function text(v: unknown): string | null {
  return typeof v === 'string' ? v : v === null || v === undefined ? null : JSON.stringify(v);
}

export function normalizeMessage(m: unknown, index: number, fallbackTime: string, ctx: NormalizeContext): Normalized<MessageRecord> {
  if (!isObject(m)) return { ok: false, reason: `transcript[${index}] is not an object` };
  const type = str(m.phase) ?? str(m.message_type);
  if (!type || !MESSAGE_TYPES.has(type)) return { ok: false, reason: `transcript[${index}] phase ${JSON.stringify(m.phase)} is not one of thesis, antithesis, synthesis, system` };
  const agent = str(m.agent_id) ?? null;
  if (type !== 'system') {
    const bad = checkAgentId(agent, `transcript[${index}] agent_id`);
    if (bad) return { ok: false, reason: bad };
  }
  const created = m.timestamp === undefined || m.timestamp === null ? fallbackTime : ts(m.timestamp, ctx);
  if (!created) return { ok: false, reason: `transcript[${index}] timestamp ${JSON.stringify(m.timestamp)} is not a timestamp` };
  const rootCause = text(m.root_cause);
  const reasoning = text(m.reasoning);
  const long = tooLong(rootCause ?? undefined, 20000, `transcript[${index}] root_cause`) ?? tooLong(reasoning ?? undefined, 20000, `transcript[${index}] reasoning`);
  if (long) return { ok: false, reason: long };
  const metrics = m.observed_metrics;
  if (metrics !== null && metrics !== undefined && !isObject(metrics)) return { ok: false, reason: `transcript[${index}] observed_metrics is not an object` };
  if (m.agrees !== null && m.agrees !== undefined && typeof m.agrees !== 'boolean') return { ok: false, reason: `transcript[${index}] agrees ${JSON.stringify(m.agrees)} is not a boolean` };
  return {
    ok: true,
    value: {
      seq: index + 1, message_type: type, agent_id: type === 'system' ? null : agent, root_cause: rootCause,
      proposed_conditions: scrubSecrets(list(m.proposed_conditions)), reasoning, observed_metrics: scrubSecrets((metrics as Record<string, unknown>) ?? {}),
      concerns: scrubSecrets(list(m.concerns)), agrees: (m.agrees as boolean | null | undefined) ?? null, signature: str(m.signature) ?? null, created_at: created,
    },
  };
}

export function normalizeDialectic(d: Record<string, unknown>, ctx: NormalizeContext):
  { result: Normalized<DialecticRecord>; rejectedMessages: { index: number; raw: unknown; reason: string }[] } {
  const fail = (reason: string) => ({ result: { ok: false as const, reason }, rejectedMessages: [] });
  const id = str(d.session_id) ?? str(d.id);
  if (!id) return fail('session_id is missing');
  const bad = checkAgentId(d.paused_agent_id, 'paused_agent_id');
  if (bad) return fail(bad);
  const reviewer = str(d.reviewer_agent_id) ?? null;
  if (reviewer !== null) {
    const badReviewer = checkAgentId(reviewer, 'reviewer_agent_id');
    if (badReviewer) return fail(badReviewer);
    if (reviewer === d.paused_agent_id) return fail(`reviewer_agent_id is the paused agent ${JSON.stringify(reviewer)} (CHECK dialectic_reviewer_not_paused): a session cannot review itself`);
  }
  const legacyType = str(d.session_type) ?? 'recovery';
  const sessionType = SESSION_TYPES[legacyType];
  if (!sessionType) return fail(`session_type ${JSON.stringify(d.session_type)} is not one of ${Object.keys(SESSION_TYPES).join(', ')}`);
  const phase = str(d.phase) ?? 'thesis';
  const status = PHASE_STATUS[phase];
  if (!status) return fail(`phase ${JSON.stringify(d.phase)} is not one of ${Object.keys(PHASE_STATUS).join(', ')}`);
  const resolution = d.resolution === null || d.resolution === undefined ? null : d.resolution;
  if (resolution !== null && !isObject(resolution)) return fail('resolution is not an object');
  if (status === 'resolved' && !resolution) return fail('phase is resolved but there is no resolution (CHECK dialectic_resolution_when_resolved)');
  if (status !== 'resolved' && resolution) return fail(`phase is ${phase} but a resolution is present (CHECK dialectic_resolution_when_resolved)`);
  const created = ts(d.created_at, ctx);
  if (!created) return fail(`created_at ${JSON.stringify(d.created_at ?? null)} is not a timestamp`);
  const round = num(d.synthesis_round) ?? 0;
  const maxRounds = num(d.max_synthesis_rounds) ?? 5;
  if (!Number.isInteger(round) || round < 0 || !Number.isInteger(maxRounds) || maxRounds < 1 || maxRounds > 50 || round > maxRounds + 1) {
    return fail(`synthesis_round ${JSON.stringify(d.synthesis_round)} / max_synthesis_rounds ${maxRounds} are outside the schema's range (CHECK dialectic_rounds_range)`);
  }
  const topic = str(d.topic) ?? null;
  const long = tooLong(topic ?? undefined, 2000, 'topic');
  if (long) return fail(long);
  const discovery = d.discovery_id === null || d.discovery_id === undefined ? null : String(d.discovery_id);

  const messages: MessageRecord[] = [];
  const rejectedMessages: { index: number; raw: unknown; reason: string }[] = [];
  const transcript = Array.isArray(d.transcript) ? d.transcript : [];
  let updated = later(created, ts(d.updated_at, ctx))!;
  transcript.forEach((m, i) => {
    const r = normalizeMessage(m, i, created, ctx);
    if (r.ok) {
      messages.push(r.value);
      updated = later(updated, r.value.created_at)!;
    } else rejectedMessages.push({ index: i, raw: scrubSecrets(m), reason: r.reason });
  });
  const resolutionTime = resolution ? ts((resolution as Record<string, unknown>).timestamp, ctx) : undefined;
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

  return {
    rejectedMessages,
    result: {
      ok: true,
      value: {
        id, paused_agent_id: d.paused_agent_id as string, reviewer_agent_id: reviewer, session_type: sessionType, phase, status, topic, reason,
        synthesis_round: round, max_synthesis_rounds: maxRounds, resolution: resolution ? scrubSecrets(resolution as Record<string, unknown>) : null,
        discovery_id: discovery, created_at: created, updated_at: updated, phase_deadline: ts(d.phase_deadline, ctx) ?? null,
        resolved_at: status === 'resolved' ? ts(d.resolved_at, ctx) ?? resolutionTime ?? updated : null, messages,
      },
    },
  };
}

export function looksLikeDialecticSession(v: unknown): v is Record<string, unknown> {
  return isObject(v) && typeof v.session_id === 'string' && 'paused_agent_id' in v;
}
