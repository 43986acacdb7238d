import { z } from 'zod';
import { decisionValues, healthStatusValues, verdictValues } from '../../db/generated/enums';
import { LIMITS, RANGES } from '../limits';
import { defineTool } from '../toolkit';

const verdict = z.enum(verdictValues);
const health = z.enum(healthStatusValues);
const decision = z.enum(decisionValues);
const eisvShape = {
  energy: z.number(), information: z.number(), entropy: z.number(), void: z.number(),
  coherence: z.number(), risk: z.number(), phi: z.number(), regime: z.string(), verdict, healthStatus: health,
};

export const processAgentUpdate = defineTool({
  name: 'process_agent_update',
  title: 'Report a piece of work',
  description: 'Reports one piece of work of the calling agent. Advances its EISV state (Energy, Information integrity, Entropy, Void) by one step and returns the verdict and decision: proceed, guide (continue with care) or pause. A pause decision pauses the agent; a resolved dialectic review (request_dialectic_review) resumes it.',
  input: {
    complexity: z.number().min(0).max(1).describe('task complexity in [0, 1]'),
    confidence: z.number().min(0).max(1).describe('your confidence in the response, [0, 1]'),
    response_length: z.number().int().min(0).max(LIMITS.responseLength).optional().describe('length of your response in characters'),
    response_text: z.string().max(LIMITS.responseLength).optional().describe(`the response itself when the length is unknown (at most ${LIMITS.responseLength} characters; send response_length for longer ones); only its length is used`),
    task_type: z.string().max(LIMITS.taskType).optional().describe('e.g. code, analysis, conversation'),
    ethical_drift: z.array(z.number().min(-1).max(1)).min(1).max(LIMITS.driftComponents).optional().describe('explicit drift vector Δη; derived from your signals when absent'),
    agent_id: z.string().max(LIMITS.id).optional().describe('must be the calling agent when given'),
  },
  output: {
    ...eisvShape,
    seq: z.number().describe('position of this update in the agent\'s history'),
    decision,
    driftNorm: z.number(),
    updateCount: z.number(),
    agentStatus: z.string(),
    recordedAt: z.string(),
  },
  auth: 'agent',
  readOnly: false,
  idempotency: 'caller',
  async handler(ctx, args) {
    const result = await ctx.deps.services.eisv.processUpdate({
      agentId: ctx.agentId!,
      complexity: args.complexity,
      confidence: args.confidence,
      responseLength: args.response_length ?? (args.response_text === undefined ? 0 : undefined),
      responseText: args.response_text,
      taskType: args.task_type,
      ethicalDrift: args.ethical_drift,
      // governance is enforced, not advised: a pause decision pauses the agent in the same transaction
      applyPause: true,
    });
    ctx.audit('governance_decision', { seq: result.seq, decision: result.decision, verdict: result.verdict, risk: result.risk, health: result.healthStatus }, args.confidence);
    return result;
  },
});

export const getGovernanceMetrics = defineTool({
  name: 'get_governance_metrics',
  title: 'My governance metrics',
  description: 'Latest EISV state, verdict and decision of an agent (default: the caller), with a window of its recent history.',
  input: {
    agent_id: z.string().max(LIMITS.id).optional().describe('defaults to the calling agent'),
    history: z.number().int().min(RANGES.agentsHistory[0]).max(RANGES.agentsHistory[1]).optional().describe('how many recent states to include (default 10)'),
  },
  output: {
    agent_id: z.string(),
    current: z.object({ ...eisvShape, seq: z.number(), decision: decision.nullable(), recordedAt: z.string().nullable() }),
    history: z.array(z.object({ ...eisvShape, seq: z.number(), decision: decision.nullable(), recordedAt: z.string().nullable() })),
  },
  auth: 'agent',
  readOnly: true,
  async handler(ctx, args) {
    const agentId = args.agent_id ?? ctx.agentId!;
    const { eisv } = ctx.deps.services;
    const limit = args.history ?? 10;
    const [current, history] = await Promise.all([eisv.current(agentId), limit > 0 ? eisv.history(agentId, { limit }) : []]);
    const strip = ({ state: _state, ...rest }: { state: unknown; [k: string]: unknown }) => rest;
    return { agent_id: agentId, current: strip(current as never), history: history.map((h) => strip(h as never)) };
  },
});
