import type { Actor, Agent } from './agents';
import { core, CoreDialecticRequestReviewRow } from '../db/generated/functions';
import type { DialecticMessageType, DialecticPhase, DialecticStatus, DialecticType } from '../db/generated/enums';
import { Queryable } from '../db/pool';

/**
 * Dialectic sessions: a paused agent and a reviewer agree on the conditions of its recovery.
 * Every rule (roles, phases, reviewer selection, deadlines, signatures) lives in
 * sql/functions/dialectic.sql; this module types the calls and shapes the rows. See docs/dialectic.md.
 */

export type { DialecticMessageType, DialecticPhase, DialecticStatus, DialecticType };

export interface DialecticResolution {
  action: 'resume';
  conditions: string[];
  root_cause: string | null;
  reasoning: string;
  agent_a: string;
  agent_b: string;
  /** signatures of the two agreeing synthesis messages (core.dialectic_message_signature) */
  signature_a: string;
  signature_b: string;
  message_seq_a: number;
  message_seq_b: number;
  synthesis_round: number;
  resolved_at: string;
}

export interface DialecticSession {
  id: string;
  pausedAgentId: string;
  reviewerAgentId: string | null;
  sessionType: DialecticType;
  phase: DialecticPhase;
  status: DialecticStatus;
  topic: string | null;
  reason: string | null;
  synthesisRound: number;
  maxSynthesisRounds: number;
  resolution: DialecticResolution | null;
  discoveryId: string | null;
  createdAt: Date;
  updatedAt: Date;
  phaseDeadline: Date | null;
  resolvedAt: Date | null;
}

export interface DialecticMessage {
  id: number;
  seq: number;
  messageType: DialecticMessageType;
  /** null for system messages */
  agentId: string | null;
  rootCause: string | null;
  proposedConditions: string[];
  reasoning: string | null;
  observedMetrics: Record<string, unknown>;
  concerns: unknown[];
  agrees: boolean | null;
  signature: string | null;
  createdAt: Date;
}

export interface DialecticSessionWithMessages extends DialecticSession {
  messages: DialecticMessage[];
}

const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const optionalDate = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));

/** Maps a session row (from a function returning core.dialectic_sessions, or its jsonb) to the domain shape. */
function toSession(row: CoreDialecticRequestReviewRow | Record<string, unknown>): DialecticSession {
  const r = row as Record<string, unknown>;
  return {
    id: r.id as string,
    pausedAgentId: r.paused_agent_id as string,
    reviewerAgentId: (r.reviewer_agent_id as string | null) ?? null,
    sessionType: r.session_type as DialecticType,
    phase: r.phase as DialecticPhase,
    status: r.status as DialecticStatus,
    topic: (r.topic as string | null) ?? null,
    reason: (r.reason as string | null) ?? null,
    synthesisRound: Number(r.synthesis_round),
    maxSynthesisRounds: Number(r.max_synthesis_rounds),
    resolution: (r.resolution as DialecticResolution | null) ?? null,
    discoveryId: (r.discovery_id as string | null) ?? null,
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
    phaseDeadline: optionalDate(r.phase_deadline),
    resolvedAt: optionalDate(r.resolved_at),
  };
}

function toMessage(r: Record<string, unknown>): DialecticMessage {
  return {
    id: Number(r.id),
    seq: Number(r.seq),
    messageType: r.message_type as DialecticMessageType,
    agentId: (r.agent_id as string | null) ?? null,
    rootCause: (r.root_cause as string | null) ?? null,
    proposedConditions: (r.proposed_conditions as string[]) ?? [],
    reasoning: (r.reasoning as string | null) ?? null,
    observedMetrics: (r.observed_metrics as Record<string, unknown>) ?? {},
    concerns: (r.concerns as unknown[]) ?? [],
    agrees: (r.agrees as boolean | null) ?? null,
    signature: (r.signature as string | null) ?? null,
    createdAt: date(r.created_at),
  };
}

export interface RequestReviewInput {
  pausedAgentId: string;
  /** validated by the reviewer rule; omitted: the eligible agent with the most recent activity */
  reviewerAgentId?: string;
  sessionType?: DialecticType;
  topic?: string;
  reason?: string;
  maxSynthesisRounds?: number;
  discoveryId?: string;
  /** the requester: the paused agent itself, or an admin (decided in SQL: FORBIDDEN, reason NOT_SELF) */
  actorAgentId?: string;
  admin?: boolean;
}

/** Opens a session for a paused agent (phase thesis). NOT_FOUND, INVALID_STATE (not paused, no eligible reviewer), CONFLICT (already in a session). */
async function requestReview(db: Queryable, input: RequestReviewInput): Promise<DialecticSession> {
  return toSession(await core.dialecticRequestReview(db, input));
}

export interface ThesisInput {
  sessionId: string;
  agentId: string;
  rootCause: string;
  proposedConditions?: string[];
  reasoning?: string;
  observedMetrics?: Record<string, unknown>;
}

/** The paused agent's thesis; thesis -> antithesis. */
async function submitThesis(db: Queryable, input: ThesisInput): Promise<DialecticSession> {
  return toSession(await core.dialecticSubmitThesis(db, input));
}

export interface AntithesisInput {
  sessionId: string;
  agentId: string;
  reasoning: string;
  concerns?: unknown[];
  observedMetrics?: Record<string, unknown>;
  proposedConditions?: string[];
}

/** The reviewer's antithesis; antithesis -> synthesis. */
async function submitAntithesis(db: Queryable, input: AntithesisInput): Promise<DialecticSession> {
  return toSession(await core.dialecticSubmitAntithesis(db, input));
}

export interface SynthesisInput {
  sessionId: string;
  agentId: string;
  agrees: boolean;
  reasoning: string;
  proposedConditions?: string[];
  rootCause?: string;
  concerns?: unknown[];
}

/** One synthesis round by either participant; may resolve (both latest agree) or escalate (round limit). */
async function submitSynthesis(db: Queryable, input: SynthesisInput): Promise<DialecticSession> {
  return toSession(await core.dialecticSubmitSynthesis(db, input));
}

/** Fails every active session whose phase deadline passed (with a system message); returns them. */
async function failExpiredSessions(db: Queryable): Promise<DialecticSession[]> {
  return (await core.dialecticFailExpired(db)).map(toSession);
}

/** Participants (paused agent, reviewer) or an admin, decided in SQL: FORBIDDEN (reason NOT_PARTICIPANT), NOT_FOUND. */
async function getSession(db: Queryable, sessionId: string, actor: Actor): Promise<DialecticSessionWithMessages> {
  const json = (await core.dialecticGetSession(db, { sessionId, actorAgentId: actor.agentId ?? undefined, admin: actor.isAdmin })) as Record<string, unknown>;
  return { ...toSession(json), messages: (json.messages as Record<string, unknown>[]).map(toMessage) };
}

export interface ListSessionsInput {
  /** sessions where this agent is the paused agent or the reviewer */
  agentId?: string;
  status?: DialecticStatus;
  sessionType?: DialecticType;
  /** 1 to 1000, default 50 */
  limit?: number;
  /** nextCursor of the previous page */
  cursor?: string;
}

/** Sessions newest first; nextCursor is set when the page is full (opaque, microsecond-exact). */
async function listSessions(
  db: Queryable,
  input: ListSessionsInput = {},
): Promise<{ sessions: DialecticSession[]; nextCursor: string | null }> {
  const limit = input.limit ?? 50;
  const rows = await core.dialecticListSessions(db, { ...input, limit });
  const last = rows[rows.length - 1];
  return { sessions: rows.map((r) => toSession(r as unknown as Record<string, unknown>)), nextCursor: last && rows.length === limit ? (last.cursor) : null };
}

/** What a resolving synthesis did to the paused agent. */
export interface ResumeOutcome {
  agentId: string;
  /** true when the resolving transaction resumed it (not when it was no longer paused, e.g. an admin resumed it during the review) */
  resumed: boolean;
  /** its status after the resolution */
  status: Agent['status'];
}

/** A synthesis and, when it resolved the session, what that did to the paused agent (read after the resolving transaction). */
async function submitSynthesisWithResume(db: Queryable, input: SynthesisInput): Promise<DialecticSession & { resume: ResumeOutcome | null }> {
  const session = await submitSynthesis(db, input);
  if (session.phase !== 'resolved') return { ...session, resume: null };
  const agent = await core.getAgent(db, { agentId: session.pausedAgentId });
  // the resolving transaction resumes the agent (core.transition_agent, authority reviewer): both stamped with its now()
  const resumed = agent.status === 'active' && agent.updated_at?.getTime() === session.resolvedAt?.getTime();
  return { ...session, resume: { agentId: session.pausedAgentId, resumed, status: agent.status } };
}

export type DialecticService = ReturnType<typeof createDialecticService>;

/** Dialectic sessions over `db` (a pool: each method is one stored-function call, one transaction). */
export function createDialecticService(db: Queryable) {
  return {
    /** Opens a session for a paused agent (phase thesis). NOT_FOUND, FORBIDDEN (NOT_SELF), INVALID_STATE (not paused, no eligible reviewer), CONFLICT (already in a session). */
    requestReview: (input: RequestReviewInput) => requestReview(db, input),
    /** The paused agent's thesis; thesis -> antithesis. */
    submitThesis: (input: ThesisInput) => submitThesis(db, input),
    /** The reviewer's antithesis; antithesis -> synthesis. */
    submitAntithesis: (input: AntithesisInput) => submitAntithesis(db, input),
    /** One synthesis round by either participant; may resolve (then `resume` says what happened to the paused agent) or escalate. */
    submitSynthesis: (input: SynthesisInput) => submitSynthesisWithResume(db, input),
    /** Fails every active session whose phase deadline passed; returns them. */
    failExpiredSessions: () => failExpiredSessions(db),
    /** A session with its messages: participants or an admin (FORBIDDEN NOT_PARTICIPANT, NOT_FOUND). */
    getSession: (sessionId: string, actor: Actor) => getSession(db, sessionId, actor),
    /** Sessions newest first, keyset-paged. */
    listSessions: (input: ListSessionsInput = {}) => listSessions(db, input),
  };
}
