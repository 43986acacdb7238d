import type { Actor } from './agents';
import { core, CoreCalibrationRecordPredictionRow } from '../db/generated/functions';
import type { Decision } from '../db/generated/enums';
import { Queryable, TransactionTarget, withTransaction } from '../db/pool';

/**
 * Calibration and ground truth: decisions recorded with their confidence, their outcomes recorded
 * once, and 10 confidence bins of width 0.1 comparing confidence with outcome. Rules and the
 * versioning of bins live in sql/functions/calibration.sql (see docs/dialectic.md, "Calibration").
 */

export type { Decision };

export interface GroundTruth {
  decisionId: string;
  agentId: string | null;
  decision: Decision | null;
  confidence: number;
  predictedCorrect: boolean;
  /** 0 (wrong) to 1 (correct); null until the outcome is recorded */
  actualCorrect: number | null;
  recordedAt: Date;
  outcomeAt: Date | null;
  details: Record<string, unknown>;
}

export interface CalibrationBin {
  binLower: number;
  binUpper: number;
  count: number;
  predictedCorrect: number;
  actualCorrect: number;
  confidenceSum: number;
  /** null for an empty bin */
  meanConfidence: number | null;
  accuracy: number | null;
  /** accuracy - meanConfidence: positive means the decisions were underconfident */
  gap: number | null;
}

export interface Calibration {
  /** 0 while no outcome was ever recorded */
  version: number;
  totalCount: number;
  meanConfidence: number | null;
  accuracy: number | null;
  expectedCalibrationError: number | null;
  maxCalibrationError: number | null;
  updatedAt: Date | null;
  bins: CalibrationBin[];
}

function toGroundTruth(r: CoreCalibrationRecordPredictionRow): GroundTruth {
  return {
    decisionId: r.decision_id,
    agentId: r.agent_id,
    decision: r.decision,
    confidence: r.confidence,
    predictedCorrect: r.predicted_correct,
    actualCorrect: r.actual_correct,
    recordedAt: r.recorded_at,
    outcomeAt: r.outcome_at,
    details: (r.details as Record<string, unknown>) ?? {},
  };
}

export interface RecordPredictionInput {
  decisionId: string;
  /** 0 to 1 */
  confidence: number;
  agentId?: string;
  decision?: Decision;
  predictedCorrect?: boolean;
  details?: Record<string, unknown>;
}

/** Idempotent per decisionId: the same content again returns the stored row; different content is CONFLICT. */
async function recordPrediction(db: Queryable, input: RecordPredictionInput): Promise<GroundTruth> {
  return toGroundTruth(await core.calibrationRecordPrediction(db, input));
}

/** Records a decision's outcome once (true = 1, false = 0, or a fraction); the same outcome again is a no-op, another is CONFLICT. */
/** Only the agent that recorded the decision (able to write now) or an admin: FORBIDDEN (reason NOT_DECISION_OWNER), decided in SQL. */
async function recordOutcome(db: Queryable, decisionId: string, actualCorrect: boolean | number, actor: Actor): Promise<GroundTruth> {
  const value = typeof actualCorrect === 'boolean' ? (actualCorrect ? 1 : 0) : actualCorrect;
  return toGroundTruth(await core.calibrationRecordOutcome(db, { decisionId, actualCorrect: value, actorAgentId: actor.agentId ?? undefined, admin: actor.isAdmin }));
}

/** Writes a new calibration version from the recorded outcomes (since `since`, when given) and returns its number. */
async function recomputeCalibration(db: Queryable, since?: Date): Promise<number> {
  return Number(await core.calibrationRecompute(db, { since }));
}

/**
 * The bins and summary of a version (default: the current one): two calls in one REPEATABLE READ,
 * READ ONLY transaction, so the bins are those of the version the summary reports, as of one snapshot.
 */
async function readCalibration(db: TransactionTarget, version?: number): Promise<Calibration> {
  const { summary, bins } = await withTransaction(db, async (tx) => {
    const summary = await core.calibrationSummary(tx, { version });
    const v = Number(summary.version);
    return { summary, bins: await core.calibrationBins(tx, { version: v > 0 ? v : undefined }) };
  }, { isolation: 'repeatable read', readOnly: true });
  const v = Number(summary.version);
  return {
    version: v,
    totalCount: Number(summary.total_count),
    meanConfidence: summary.mean_confidence,
    accuracy: summary.accuracy,
    expectedCalibrationError: summary.expected_calibration_error,
    maxCalibrationError: summary.max_calibration_error,
    updatedAt: summary.updated_at,
    bins: bins.map((b) => ({
      binLower: b.bin_lower,
      binUpper: b.bin_upper,
      count: Number(b.count),
      predictedCorrect: b.predicted_correct,
      actualCorrect: b.actual_correct,
      confidenceSum: b.confidence_sum,
      meanConfidence: b.mean_confidence,
      accuracy: b.accuracy,
      gap: b.gap,
    })),
  };
}

/** The legacy calibration_state.json shape: non-empty bins keyed "0.9-1.0", highest first. */
export function toLegacyCalibrationState(calibration: Calibration): {
  bins: Record<string, { count: number; predicted_correct: number; actual_correct: number; confidence_sum: number }>;
} {
  const bins: Record<string, { count: number; predicted_correct: number; actual_correct: number; confidence_sum: number }> = {};
  for (const b of [...calibration.bins].reverse()) {
    if (b.count === 0) continue;
    bins[`${b.binLower.toFixed(1)}-${b.binUpper.toFixed(1)}`] = {
      count: b.count,
      predicted_correct: b.predictedCorrect,
      actual_correct: b.actualCorrect,
      confidence_sum: b.confidenceSum,
    };
  }
  return { bins };
}

export type CalibrationService = ReturnType<typeof createCalibrationService>;

/**
 * Calibration over `db`: a pool (each write one stored-function call, one transaction; the read one
 * repeatable-read transaction) or an open transaction (the read then needs it to be repeatable read).
 */
export function createCalibrationService(db: TransactionTarget) {
  return {
    /** Idempotent per decisionId: the same content again returns the stored row; different content is CONFLICT. */
    recordPrediction: (input: RecordPredictionInput) => recordPrediction(db, input),
    /** A decision's outcome, once: CONFLICT for another outcome; FORBIDDEN (NOT_DECISION_OWNER) unless the recording agent or an admin. */
    recordOutcome: (decisionId: string, actualCorrect: boolean | number, actor: Actor) => recordOutcome(db, decisionId, actualCorrect, actor),
    /** Writes a new calibration version from the recorded outcomes (since `since`) and returns its number. */
    recomputeCalibration: (since?: Date) => recomputeCalibration(db, since),
    /** The bins and summary of a version (default: the current one), from one snapshot. */
    readCalibration: (version?: number) => readCalibration(db, version),
  };
}
