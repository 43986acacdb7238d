import { agentStatusValues } from '../../db/generated/enums';
import { apiKeyHash, canonicalJson, scrubSecrets, sha256Hex } from '../canonical';
import { NormalizeContext, Normalized } from '../types';
import { isObject, later, legacyAgentId, num, str, tooLong, ts } from './common';

/**
 * One legacy agent in the common shape of agent_metadata.json (both the Nov and the Dec 2025 shapes);
 * the SQLite readers map their columns onto it first.
 */
export type LegacyAgent = Record<string, unknown>;

const STATUSES = new Set<string>(agentStatusValues);

/** Fields that map onto columns; every other field is kept under metadata.legacy. */
const MAPPED = new Set([
  'agent_id', 'status', 'created_at', 'last_update', 'updated_at', 'tags', 'notes', 'lifecycle_events', 'paused_at',
  'archived_at', 'deleted_at', 'disabled_at', 'parent_agent_id', 'spawn_reason', 'api_key', 'purpose', 'label', 'total_updates',
  'last_updated',
]);

/** Keys under which some exports wrapped the agent record itself. */
const WRAPPER_KEYS = ['agent', 'metadata', 'data', 'record'];

/**
 * An agent entry that wraps the record (`{"agent_id": …, "metadata": {created_at, status, …}}`)
 * read as the record: the wrapped fields, with the wrapper's own non-null fields on top.
 */
export function unwrapAgent(a: LegacyAgent): { agent: LegacyAgent; wrapper?: string } {
  if (a.created_at !== undefined && a.created_at !== null) return { agent: a };
  for (const k of WRAPPER_KEYS) {
    const inner = a[k];
    if (isObject(inner) && (inner.created_at !== undefined || inner.agent_id !== undefined || inner.lifecycle_events !== undefined)) {
      const outer = Object.fromEntries(Object.entries(a).filter(([key, v]) => key !== k && v !== null && v !== undefined));
      return { agent: { ...inner, ...outer }, wrapper: k };
    }
  }
  return { agent: a };
}

/** Legacy lifecycle events that are not in core.lifecycle_event_type, and what they become. */
const EVENT_MAP: Record<string, string> = {
  created: 'created', spawned: 'spawned', updated: 'updated', paused: 'paused', resumed: 'resumed',
  waiting_input: 'waiting_input', archived: 'archived', deleted: 'deleted', imported: 'imported',
  // mark_response_complete put the agent into waiting_input
  response_completed: 'waiting_input',
};

export interface AgentRecord {
  id: string;
  label: string | null;
  status: string;
  purpose: string | null;
  notes: string;
  tags: string[];
  spawn_reason: string | null;
  api_key_hash: string | null;
  metadata: Record<string, unknown>;
  update_count: number;
  created_at: string;
  updated_at: string;
  paused_at: string | null;
  archived_at: string | null;
  deleted_at: string | null;
  last_activity_at: string | null;
  /** names of today's invariants this legacy record breaks (docs/import.md "Anomalies") */
  anomalies: string[];
  /** the latest lifecycle evidence in the record (archived_at, deleted_at, paused_at, last event) */
  evidence_at: string | null;
  /** content rank: the last tie-breaker of the merge rule, so file order never matters */
  import_rank: string;
}

export interface LifecycleRecord {
  agent_id: string;
  event: string;
  reason: string | null;
  actor: string;
  occurred_at: string;
  details: Record<string, unknown>;
}

function lastEventTime(events: unknown[], name: string, ctx: NormalizeContext): string | undefined {
  let found: string | undefined;
  for (const e of events) if (isObject(e) && e.event === name) found = later(found, ts(e.timestamp, ctx));
  return found;
}

export function normalizeAgent(input: LegacyAgent, keyHint: string | undefined, ctx: NormalizeContext): Normalized<AgentRecord> {
  const { agent: a, wrapper } = unwrapAgent(input);
  const anomalies: string[] = [];
  const idr = legacyAgentId(str(a.agent_id) ?? keyHint, 'agent id');
  if (!idr.ok) return { ok: false, reason: idr.reason };
  anomalies.push(...idr.anomalies);
  const id = idr.id;
  if (keyHint && a.agent_id !== undefined && a.agent_id !== keyHint) {
    return { ok: false, reason: `agent keyed ${JSON.stringify(keyHint)} says agent_id ${JSON.stringify(a.agent_id)}: which one is meant is ambiguous` };
  }
  let status = str(a.status) ?? 'active';
  if (!STATUSES.has(status)) {
    anomalies.push('status_unmapped');
    status = 'active';
  }
  const lastUpdate = a.last_update ?? a.updated_at ?? a.last_updated;
  const events = Array.isArray(a.lifecycle_events) ? a.lifecycle_events : [];
  const inferred: string[] = [];
  let created = ts(a.created_at, ctx);
  if (a.created_at !== undefined && a.created_at !== null && !created) return { ok: false, reason: `created_at ${JSON.stringify(a.created_at)} is not a timestamp` };
  if (!created) {
    const eventTimes = events.map((e) => (isObject(e) ? ts(e.timestamp, ctx) : undefined)).filter((t): t is string => !!t);
    created = eventTimes.sort((x, y) => Date.parse(x) - Date.parse(y))[0] ?? ts(lastUpdate, ctx);
    if (!created) return { ok: false, reason: 'agent has no created_at, no lifecycle event time and no last_update: its creation time is unknown' };
    inferred.push('created_at');
  }
  const updated = later(created, ts(lastUpdate, ctx))!;
  const tags = a.tags ?? [];
  if (!Array.isArray(tags) || tags.some((t) => t !== null && typeof t !== 'string')) return { ok: false, reason: `tags ${JSON.stringify(tags).slice(0, 200)} is not a list of strings (null elements are dropped)` };
  // normalised and checked against the schema's limit by core.import_agents (core.normalize_tags)
  const notes = typeof a.notes === 'string' ? a.notes : '';
  const purpose = str(a.purpose) ?? null;
  const label = str(a.label) ?? null;
  const lengthProblem = tooLong(notes, 20000, 'notes') ?? tooLong(purpose ?? undefined, 4000, 'purpose') ?? tooLong(label ?? undefined, 200, 'label');
  if (lengthProblem) return { ok: false, reason: lengthProblem };
  const updateCount = num(a.total_updates) ?? 0;
  if (!Number.isInteger(updateCount) || updateCount < 0) return { ok: false, reason: `total_updates ${JSON.stringify(a.total_updates)} is not a non-negative integer` };

  let archivedAt = ts(a.archived_at, ctx) ?? null;
  if (status === 'archived' && !archivedAt) {
    archivedAt = lastEventTime(events, 'archived', ctx) ?? updated;
    inferred.push('archived_at');
  }
  let deletedAt = ts(a.deleted_at ?? a.disabled_at, ctx) ?? null;
  if (status === 'deleted' && !deletedAt) {
    deletedAt = lastEventTime(events, 'deleted', ctx) ?? updated;
    inferred.push('deleted_at');
  }
  if (status !== 'deleted') deletedAt = null;
  const pausedAt = ts(a.paused_at, ctx) ?? null;
  let evidence: string | undefined;
  for (const t of [archivedAt, ts(a.deleted_at ?? a.disabled_at, ctx), pausedAt]) evidence = later(evidence, t ?? undefined);
  for (const e of events) if (isObject(e)) evidence = later(evidence, ts(e.timestamp, ctx));

  const legacy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a)) if (!MAPPED.has(k)) legacy[k] = v;
  // a bound session key is a credential too: keep only its hash
  if (typeof legacy.active_session_key === 'string') legacy.active_session_key = apiKeyHash(legacy.active_session_key);
  const metadata: Record<string, unknown> = { legacy: scrubSecrets(legacy), legacy_source: ctx.file };
  if (inferred.length) metadata.legacy_inferred = inferred;
  if (a.disabled_at) metadata.legacy_disabled_at = a.disabled_at;
  if (wrapper) metadata.legacy_wrapper = wrapper;
  if (anomalies.includes('status_unmapped')) metadata.legacy_status = a.status;

  const value: Omit<AgentRecord, 'import_rank'> = {
    id,
    label,
    status,
    purpose,
    notes,
    tags: tags as string[],
    spawn_reason: str(a.spawn_reason) ?? null,
    api_key_hash: apiKeyHash(a.api_key) ?? null,
    metadata,
    update_count: updateCount,
    created_at: created,
    updated_at: updated,
    paused_at: pausedAt,
    archived_at: archivedAt,
    deleted_at: deletedAt,
    last_activity_at: ts(lastUpdate, ctx) ?? null,
    anomalies,
    evidence_at: evidence ?? null,
  };
  return { ok: true, value: { ...value, import_rank: sha256Hex(canonicalJson(value)) } };
}

/** Lifecycle events of one agent; each is accepted or rejected on its own. */
export function normalizeLifecycleEvents(agentId: string, input: LegacyAgent, ctx: NormalizeContext): { index: number; result: Normalized<LifecycleRecord>; raw: unknown }[] {
  const a = unwrapAgent(input).agent;
  const events = Array.isArray(a.lifecycle_events) ? a.lifecycle_events : [];
  return events.map((e, index) => {
    if (!isObject(e)) return { index, raw: e, result: { ok: false as const, reason: 'lifecycle event is not an object' } };
    const occurred = ts(e.timestamp, ctx);
    if (!occurred) return { index, raw: e, result: { ok: false as const, reason: `lifecycle event timestamp ${JSON.stringify(e.timestamp)} is not a timestamp` } };
    const legacyEvent = String(e.event ?? '');
    if (!legacyEvent) return { index, raw: e, result: { ok: false as const, reason: 'lifecycle event has no event name' } };
    const reason = typeof e.reason === 'string' ? e.reason : e.reason == null ? null : JSON.stringify(e.reason);
    const long = tooLong(reason ?? undefined, 4000, 'lifecycle event reason');
    if (long) return { index, raw: e, result: { ok: false as const, reason: long } };
    const event = EVENT_MAP[legacyEvent] ?? 'updated';
    const importKey = sha256Hex(JSON.stringify([agentId, legacyEvent, String(e.timestamp), reason]));
    const details: Record<string, unknown> = { import_key: importKey, legacy_source: ctx.file };
    if (event !== legacyEvent) details.legacy_event = legacyEvent;
    const extra = Object.fromEntries(Object.entries(e).filter(([k]) => !['event', 'timestamp', 'reason'].includes(k)));
    if (Object.keys(extra).length) details.legacy = scrubSecrets(extra);
    return { index, raw: e, result: { ok: true as const, value: { agent_id: agentId, event, reason, actor: 'legacy-import', occurred_at: occurred, details } } };
  });
}

export interface ParentLink {
  child_id: string;
  parent_id: string;
  spawn_reason: string | null;
}

export function parentLink(agentId: string, input: LegacyAgent): Normalized<ParentLink> | undefined {
  const a = unwrapAgent(input).agent;
  const parent = str(a.parent_agent_id);
  if (!parent) return undefined;
  if (parent === agentId) return { ok: false, reason: `agent ${JSON.stringify(agentId)} names itself as its parent` };
  const bad = legacyAgentId(parent, 'parent_agent_id');
  if (!bad.ok) return { ok: false, reason: bad.reason };
  return { ok: true, value: { child_id: agentId, parent_id: parent, spawn_reason: str(a.spawn_reason) ?? null } };
}
