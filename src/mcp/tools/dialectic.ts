import { z } from 'zod';
import { dialecticMessageTypeValues, dialecticPhaseValues, dialecticStatusValues, dialecticTypeValues } from '../../db/generated/enums';
import type { DialecticSession } from '../../domain/dialectic';
import { GovdbError } from '../../errors';
import { jsonObject } from '../boundary';
import { LIMITS, RANGES } from '../limits';
import { defineTool, requireAgentOrAdmin, ToolContext } from '../toolkit';

/**
 * Dialectic review over MCP (rules in sql/functions/dialectic.sql, see docs/dialectic.md).
 * Who may do what:
 * - request: the paused agent for itself, or an admin for any paused agent;
 * - thesis / antithesis / synthesis: the calling agent submits as itself; the SQL checks its role;
 * - read (get, list): the two participants, or an admin.
 * A synthesis that resolves the session resumes the paused agent in the same transaction
 * (core.dialectic_submit_message → core.transition_agent with authority 'reviewer').
 */

const phase = z.enum(dialecticPhaseValues);
const status = z.enum(dialecticStatusValues);
const sessionType = z.enum(dialecticTypeValues);
const conditions = z.array(z.string().min(1).max(LIMITS.condition)).max(LIMITS.conditions);
const metrics = jsonObject();
const concerns = z.array(z.unknown()).max(LIMITS.concerns);

const sessionShape = {
  id: z.string(),
  pausedAgentId: z.string(),
  reviewerAgentId: z.string().nullable(),
  sessionType,
  phase,
  status,
  topic: z.string().nullable(),
  reason: z.string().nullable(),
  synthesisRound: z.number(),
  maxSynthesisRounds: z.number(),
  resolution: z.object({
    action: z.literal('resume'),
    conditions: z.array(z.string()),
    root_cause: z.string().nullable(),
    reasoning: z.string(),
    agent_a: z.string(),
    agent_b: z.string(),
    signature_a: z.string().describe('signature of the paused agent\'s agreeing synthesis'),
    signature_b: z.string().describe('signature of the reviewer\'s agreeing synthesis'),
    message_seq_a: z.number(),
    message_seq_b: z.number(),
    synthesis_round: z.number(),
    resolved_at: z.string(),
  }).nullable().describe('set when the session resolved'),
  discoveryId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  phaseDeadline: z.string().nullable().describe('when the current phase times out; null once closed'),
  resolvedAt: z.string().nullable(),
};

const messageShape = z.object({
  id: z.number(),
  seq: z.number(),
  messageType: z.enum(dialecticMessageTypeValues),
  agentId: z.string().nullable().describe('null for system messages'),
  rootCause: z.string().nullable(),
  proposedConditions: z.array(z.string()),
  reasoning: z.string().nullable(),
  observedMetrics: metrics,
  concerns: z.array(z.unknown()),
  agrees: z.boolean().nullable(),
  signature: z.string().nullable(),
  createdAt: z.string(),
});

const sessionId = z.string().min(1).max(LIMITS.id).describe('the dialectic session id (from request_dialectic_review or list_dialectic_sessions)');

function auditTransition(ctx: ToolContext, kind: string, session: DialecticSession): void {
  ctx.audit(`dialectic_${kind}`, {
    dialectic_session_id: session.id,
    paused_agent_id: session.pausedAgentId,
    reviewer_agent_id: session.reviewerAgentId,
    phase: session.phase,
    synthesis_round: session.synthesisRound,
  });
}

export const requestDialecticReview = defineTool({
  name: 'request_dialectic_review',
  title: 'Request a dialectic review',
  description: 'Opens a dialectic session for a PAUSED agent: a reviewer (explicit, or the eligible active agent with the most recent activity) and the paused agent agree on conditions for it to resume (thesis by the paused agent, antithesis by the reviewer, then syntheses until both agree). A paused agent requests a review of itself; an admin may request one for any paused agent.',
  input: {
    paused_agent_id: z.string().max(LIMITS.id).optional().describe('the paused agent; defaults to the calling agent (another agent needs admin_token)'),
    reviewer_agent_id: z.string().max(LIMITS.id).optional().describe('an explicit reviewer; must be active, not the paused agent, not in another active session and not its reviewer in the last 24 h'),
    session_type: sessionType.optional().describe('default recovery'),
    topic: z.string().max(LIMITS.topic).optional().describe('what the review is about'),
    reason: z.string().max(LIMITS.dialecticReason).optional().describe('why the agent was paused, as the requester sees it'),
    max_synthesis_rounds: z.number().int().min(1).max(LIMITS.synthesisRounds).optional().describe('synthesis messages before the session escalates (default 5)'),
    discovery_id: z.string().max(LIMITS.id).optional().describe('a knowledge discovery this review is about'),
  },
  output: sessionShape,
  auth: 'optional',
  readOnly: false,
  idempotency: 'caller',
  async handler(ctx, args) {
    const caller = requireAgentOrAdmin(ctx, 'request_dialectic_review');
    const pausedAgentId = args.paused_agent_id ?? caller;
    if (!pausedAgentId) throw new GovdbError('INVALID_INPUT', 'paused_agent_id is missing: an admin session acts as no agent, so it must name the paused agent.', { hint: 'Pass paused_agent_id.' });
    // who may request (the paused agent itself or an admin) is decided in SQL
    const session = await ctx.deps.services.dialectic.requestReview({
      pausedAgentId, reviewerAgentId: args.reviewer_agent_id, sessionType: args.session_type, topic: args.topic,
      reason: args.reason, maxSynthesisRounds: args.max_synthesis_rounds, discoveryId: args.discovery_id,
      actorAgentId: caller ?? undefined, admin: ctx.isAdmin,
    });
    auditTransition(ctx, 'requested', session);
    return session;
  },
});

export const submitThesis = defineTool({
  name: 'submit_thesis',
  title: 'Submit my thesis',
  description: 'The paused agent\'s account of what went wrong and the conditions it proposes for resuming. Only in phase thesis; moves the session to antithesis (the reviewer\'s turn).',
  input: {
    session_id: sessionId,
    root_cause: z.string().min(1).max(LIMITS.rootCause).describe('what caused the pause, in your words'),
    proposed_conditions: conditions.optional().describe('conditions you commit to after resuming'),
    reasoning: z.string().max(LIMITS.reasoning).optional(),
    observed_metrics: metrics.optional().describe('figures you base the thesis on (e.g. your EISV state)'),
  },
  output: sessionShape,
  auth: 'agent',
  readOnly: false,
  idempotency: 'caller',
  async handler(ctx, args) {
    const session = await ctx.deps.services.dialectic.submitThesis({
      sessionId: args.session_id, agentId: ctx.agentId!, rootCause: args.root_cause,
      proposedConditions: args.proposed_conditions, reasoning: args.reasoning, observedMetrics: args.observed_metrics,
    });
    auditTransition(ctx, 'thesis', session);
    return session;
  },
});

export const submitAntithesis = defineTool({
  name: 'submit_antithesis',
  title: 'Submit my antithesis',
  description: 'The reviewer\'s response to the thesis: concerns and counter-conditions. Only in phase antithesis; moves the session to synthesis.',
  input: {
    session_id: sessionId,
    reasoning: z.string().min(1).max(LIMITS.reasoning).describe('your assessment of the thesis'),
    concerns: concerns.optional().describe('concerns, as strings or objects'),
    observed_metrics: metrics.optional().describe('figures you base the antithesis on'),
    proposed_conditions: conditions.optional().describe('conditions you require'),
  },
  output: sessionShape,
  auth: 'agent',
  readOnly: false,
  idempotency: 'caller',
  async handler(ctx, args) {
    const session = await ctx.deps.services.dialectic.submitAntithesis({
      sessionId: args.session_id, agentId: ctx.agentId!, reasoning: args.reasoning,
      concerns: args.concerns, observedMetrics: args.observed_metrics, proposedConditions: args.proposed_conditions,
    });
    auditTransition(ctx, 'antithesis', session);
    return session;
  },
});

/**
 * An agreeing synthesis states the conditions it accepts, or says explicitly that none are needed
 * (`no_conditions: true`): a misnamed or forgotten conditions field must not resolve a session
 * without conditions.
 */
function requireExplicitConditions(args: { agrees: boolean; proposed_conditions?: string[]; no_conditions?: boolean }): void {
  const stated = (args.proposed_conditions?.length ?? 0) > 0;
  if (args.no_conditions && (stated || !args.agrees)) {
    throw new GovdbError('INVALID_INPUT', stated
      ? 'no_conditions: true contradicts the proposed_conditions given: pass one or the other.'
      : 'no_conditions applies only to an agreeing synthesis (agrees: true).', { field: 'no_conditions', hint: 'Drop no_conditions, or agree without proposed_conditions.' });
  }
  if (args.agrees && !stated && !args.no_conditions) {
    throw new GovdbError('INVALID_INPUT', 'An agreeing synthesis must state the conditions it accepts (proposed_conditions), or say explicitly that none are needed (no_conditions: true).', {
      field: 'proposed_conditions',
      hint: 'Pass proposed_conditions: ["..."], or no_conditions: true when the agent may resume without conditions.',
    });
  }
}

export const submitSynthesis = defineTool({
  name: 'submit_synthesis',
  title: 'Submit a synthesis',
  description: 'One synthesis round by either participant, in phase synthesis. When the latest synthesis of BOTH participants agrees, the session resolves (conditions merged, both messages\' signatures recorded) and the paused agent is resumed; when the round limit is reached without agreement, it escalates.',
  input: {
    session_id: sessionId,
    agrees: z.boolean().describe('whether you accept the conditions as they stand'),
    reasoning: z.string().min(1).max(LIMITS.reasoning),
    proposed_conditions: conditions.optional().describe('the conditions you accept or propose; an agreeing synthesis states them, or passes no_conditions: true'),
    no_conditions: z.boolean().optional().describe('true: you agree and explicitly need no conditions (only with agrees: true and no proposed_conditions)'),
    root_cause: z.string().max(LIMITS.rootCause).optional().describe('a revised root cause'),
    concerns: concerns.optional().describe('remaining concerns'),
  },
  output: {
    ...sessionShape,
    resume: z.object({
      agent_id: z.string(),
      resumed: z.boolean().describe('true when this call resumed the paused agent'),
      status: z.string().nullable().describe('the paused agent\'s status after the resolution'),
      error: z.string().nullable().describe('always null: the resume is part of the resolving transaction (kept for compatibility)'),
    }).nullable().describe('set when this synthesis resolved the session'),
  },
  auth: 'agent',
  readOnly: false,
  idempotency: 'caller',
  async handler(ctx, args) {
    requireExplicitConditions(args);
    const { resume, ...session } = await ctx.deps.services.dialectic.submitSynthesis({
      sessionId: args.session_id, agentId: ctx.agentId!, agrees: args.agrees, reasoning: args.reasoning,
      proposedConditions: args.proposed_conditions, rootCause: args.root_cause, concerns: args.concerns,
    });
    auditTransition(ctx, 'synthesis', session);
    if (session.phase === 'escalated') auditTransition(ctx, 'escalated', session);
    if (!resume) return { ...session, resume: null };
    ctx.audit('dialectic_resolved', {
      dialectic_session_id: session.id, paused_agent_id: session.pausedAgentId, reviewer_agent_id: session.reviewerAgentId,
      conditions: session.resolution?.conditions ?? [], signature_a: session.resolution?.signature_a, signature_b: session.resolution?.signature_b,
    });
    if (resume.resumed) ctx.audit('agent_resumed', { agent_id: session.pausedAgentId, from: 'paused', to: 'active', reason: `dialectic resolution ${session.id}`, dialectic_session_id: session.id });
    return { ...session, resume: { agent_id: resume.agentId, resumed: resume.resumed, status: resume.status, error: null } };
  },
});

export const getDialecticSession = defineTool({
  name: 'get_dialectic_session',
  title: 'Get a dialectic session',
  description: 'A dialectic session with all its messages in order (thesis, antithesis, syntheses, system notes). Readable by its paused agent, its reviewer, or an admin.',
  input: { session_id: sessionId },
  output: { ...sessionShape, messages: z.array(messageShape) },
  auth: 'optional',
  readOnly: true,
  async handler(ctx, args) {
    requireAgentOrAdmin(ctx, 'get_dialectic_session');
    // participant-or-admin is decided in SQL
    return ctx.deps.services.dialectic.getSession(args.session_id, { agentId: ctx.agentId, isAdmin: ctx.isAdmin });
  },
});

export const listDialecticSessions = defineTool({
  name: 'list_dialectic_sessions',
  title: 'List dialectic sessions',
  description: 'Dialectic sessions newest first. An agent sees the sessions it takes part in (as paused agent or reviewer); an admin sees all, optionally those of one agent. Page with next_cursor.',
  input: {
    agent_id: z.string().max(LIMITS.id).optional().describe('sessions where this agent is paused agent or reviewer; for a non-admin it must be the caller (the default)'),
    status: status.optional().describe('only sessions in this status'),
    session_type: sessionType.optional(),
    limit: z.number().int().min(RANGES.dialecticLimit[0]).max(RANGES.dialecticLimit[1]).optional().describe('default 50'),
    cursor: z.string().max(LIMITS.cursor).optional().describe('next_cursor of the previous page'),
  },
  output: {
    sessions: z.array(z.object(sessionShape)),
    next_cursor: z.string().nullable().describe('pass as cursor for the next page; null on the last page'),
  },
  auth: 'optional',
  readOnly: true,
  async handler(ctx, args) {
    const caller = requireAgentOrAdmin(ctx, 'list_dialectic_sessions');
    if (!ctx.isAdmin && args.agent_id !== undefined && args.agent_id !== caller) {
      throw new GovdbError('FORBIDDEN', `Agent "${caller}" cannot list the sessions of agent "${args.agent_id}": an agent lists its own sessions.`, { hint: 'Omit agent_id, or pass admin_token.' });
    }
    const page = await ctx.deps.services.dialectic.listSessions({
      agentId: ctx.isAdmin ? args.agent_id : caller!, status: args.status, sessionType: args.session_type, limit: args.limit, cursor: args.cursor,
    });
    return { sessions: page.sessions, next_cursor: page.nextCursor };
  },
});
