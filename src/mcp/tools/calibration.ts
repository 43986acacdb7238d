import { z } from 'zod';
import { decisionValues } from '../../db/generated/enums';
import { jsonObject } from '../boundary';
import { LIMITS } from '../limits';
import { defineTool, requireAgentOrAdmin } from '../toolkit';

/**
 * Calibration over MCP (rules in sql/functions/calibration.sql, see docs/dialectic.md).
 * An agent records its own decisions (record_prediction), then their outcomes (record_outcome);
 * get_calibration compares confidence with outcome per bin. Outcomes of another agent's decision,
 * or of a decision recorded without an agent (imported), need the admin token.
 */

const decision = z.enum(decisionValues);

const groundTruthShape = {
  decisionId: z.string(),
  agentId: z.string().nullable().describe('the agent that recorded the decision'),
  decision: decision.nullable(),
  confidence: z.number(),
  predictedCorrect: z.boolean(),
  actualCorrect: z.number().nullable().describe('0 (wrong) to 1 (correct); null until the outcome is recorded'),
  recordedAt: z.string(),
  outcomeAt: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
};

const decisionId = z.string().min(1).max(LIMITS.decisionId).describe('your id of the decision, unique across all agents (e.g. "<agent id>:<update seq>")');

export const recordPrediction = defineTool({
  name: 'record_prediction',
  title: 'Record a decision for calibration',
  description: 'Records one of your decisions with the confidence you had in it, so its outcome can be recorded later (record_outcome) and compared with that confidence (get_calibration). Idempotent: the same decision_id with the same content returns the stored record; different content is CONFLICT.',
  input: {
    decision_id: decisionId,
    confidence: z.number().min(0).max(1).describe('your confidence that the decision is right, [0, 1]'),
    decision: decision.optional().describe('the governance decision it belongs to, if any (e.g. from process_agent_update)'),
    predicted_correct: z.boolean().optional().describe('whether you expect it to turn out correct (default true)'),
    details: jsonObject().optional().describe('free context (task, update seq, ...)'),
  },
  output: groundTruthShape,
  auth: 'agent',
  readOnly: false,
  async handler(ctx, args) {
    const row = await ctx.deps.services.calibration.recordPrediction({
      decisionId: args.decision_id, confidence: args.confidence, agentId: ctx.agentId!,
      decision: args.decision, predictedCorrect: args.predicted_correct, details: args.details,
    });
    ctx.audit('calibration_prediction', { decision_id: row.decisionId, decision: row.decision, predicted_correct: row.predictedCorrect }, row.confidence);
    return row;
  },
});

export const recordOutcome = defineTool({
  name: 'record_outcome',
  title: 'Record the outcome of a decision',
  description: 'Records whether a decision recorded with record_prediction turned out correct (true/false, or a fraction from 0 to 1) and adds it to the calibration bins. Once per decision: the same outcome again is a no-op, another one is CONFLICT. The agent that recorded the decision may record its outcome; any other decision needs admin_token.',
  input: {
    decision_id: decisionId,
    actual_correct: z.union([z.boolean(), z.number().min(0).max(1)]).describe('true (correct), false (wrong), or a fraction from 0 to 1'),
  },
  output: groundTruthShape,
  auth: 'optional',
  readOnly: false,
  idempotency: 'caller',
  async handler(ctx, args) {
    const caller = requireAgentOrAdmin(ctx, 'record_outcome');
    // owner-or-admin is decided by the stored function on the locked row
    const row = await ctx.deps.services.calibration.recordOutcome(args.decision_id, args.actual_correct, { agentId: caller, isAdmin: ctx.isAdmin });
    ctx.audit('calibration_outcome', { decision_id: row.decisionId, decision_agent_id: row.agentId, actual_correct: row.actualCorrect }, row.confidence);
    return row;
  },
});

const binShape = z.object({
  binLower: z.number(),
  binUpper: z.number(),
  count: z.number().describe('decisions with a known outcome in this bin'),
  predictedCorrect: z.number(),
  actualCorrect: z.number().describe('sum of outcomes'),
  confidenceSum: z.number(),
  meanConfidence: z.number().nullable(),
  accuracy: z.number().nullable(),
  gap: z.number().nullable().describe('accuracy - mean confidence: positive means underconfident'),
});

export const getCalibration = defineTool({
  name: 'get_calibration',
  title: 'Calibration of confidence against outcomes',
  description: 'System-wide calibration: 10 confidence bins of width 0.1 ([0.9, 1.0] closed) over the decisions whose outcome is known, with accuracy, mean confidence and gap per bin, and the expected and maximum calibration error. Version 0 means no outcome was recorded yet.',
  input: {
    version: z.number().int().min(1).optional().describe('a calibration version; default the current one'),
  },
  output: {
    version: z.number(),
    totalCount: z.number(),
    meanConfidence: z.number().nullable(),
    accuracy: z.number().nullable(),
    expectedCalibrationError: z.number().nullable(),
    maxCalibrationError: z.number().nullable(),
    updatedAt: z.string().nullable(),
    bins: z.array(binShape),
  },
  auth: 'optional',
  readOnly: true,
  async handler(ctx, args) {
    requireAgentOrAdmin(ctx, 'get_calibration');
    return ctx.deps.services.calibration.readCalibration(args.version);
  },
});
