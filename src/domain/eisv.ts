import { core, CoreAgentStateHistoryRow, CoreGetAgentStateRow } from '../db/generated/functions';
import type { AgentStatus, Decision, HealthStatus, Verdict } from '../db/generated/enums';
import { Queryable } from '../db/pool';
import { GovdbError } from '../errors';

/**
 * EISV governance state: the storage side of process_agent_update. The dynamics, every constant
 * (core.eisv_params()), the drift ‖Δη‖, regime, verdict, health and decision rules live in
 * sql/functions/eisv.sql and are explained with a worked example in docs/eisv.md; this module
 * types the calls and shapes the rows.
 */

export type { Decision, HealthStatus, Verdict };
/** STABLE, DIVERGENCE, CONVERGENCE, EXPLORATION after a step; INITIAL before the first report. */
export type Regime = 'STABLE' | 'DIVERGENCE' | 'CONVERGENCE' | 'EXPLORATION' | 'INITIAL' | (string & {});

/** What an agent reports about one piece of work. */
export interface WorkReport {
  agentId: string;
  /** task complexity in [0, 1] */
  complexity: number;
  /** the agent's confidence in its response, [0, 1] */
  confidence: number;
  /** response length in characters (preferred: the text need not travel) */
  responseLength?: number;
  /** the response itself, when the length is not known; only its length is used and stored */
  responseText?: string;
  taskType?: string;
  /** an explicit ethical drift vector Δη (1-16 components in [-1, 1]); default: derived from the signals */
  ethicalDrift?: number[];
  /** when the decision is 'pause', also pause the agent in the same transaction */
  applyPause?: boolean;
}

export interface EisvValues {
  energy: number;
  information: number;
  entropy: number;
  void: number;
  coherence: number;
  risk: number;
  phi: number;
  regime: Regime;
  verdict: Verdict;
  healthStatus: HealthStatus;
  /** null only for an agent that has not reported yet */
  decision: Decision | null;
}

export interface EisvUpdate extends EisvValues {
  seq: number;
  decision: Decision;
  driftNorm: number;
  updateCount: number;
  agentStatus: AgentStatus;
  recordedAt: Date;
}

export interface EisvStateRow extends EisvValues {
  /** 0: no report yet (the initial state) */
  seq: number;
  /** inputs, drift, baseline, previous state and deltas of the step (docs/eisv.md) */
  state: Record<string, unknown>;
  recordedAt: Date | null;
}

export interface EisvServiceOptions {
  /** Called with the agent id after a committed update (its update_count, activity and maybe status changed). */
  invalidate?: (agentId: string) => void | Promise<void>;
}

export type EisvService = ReturnType<typeof createEisvService>;

export function createEisvService(db: Queryable, options: EisvServiceOptions = {}) {
  return {
    /** One report = one step, one state row, serialized per agent (see core.process_agent_update). */
    async processUpdate(report: WorkReport): Promise<EisvUpdate> {
      const row = await core.processAgentUpdate(db, report);
      const result: EisvUpdate = {
        ...values(row),
        seq: Number(row.seq),
        decision: row.decision,
        driftNorm: row.drift_norm!,
        updateCount: Number(row.update_count),
        agentStatus: row.agent_status,
        recordedAt: row.recorded_at,
      };
      if (options.invalidate) {
        try {
          await options.invalidate(report.agentId);
        } catch (err) {
          throw new GovdbError('UNAVAILABLE', `The update of agent "${report.agentId}" was recorded (seq ${result.seq}), but invalidating its cached metadata failed: ${(err as Error).message}`, {
            hint: 'Do not resend the report: it is committed.',
            cause: err,
          });
        }
      }
      return result;
    },

    /** The latest state; the initial state (seq 0, health unknown) when the agent has not reported. */
    async current(agentId: string): Promise<EisvStateRow> {
      return toStateRow(await core.getAgentState(db, { agentId }));
    },

    /** State rows newest first; pass the smallest seq seen as beforeSeq for the next page. */
    async history(agentId: string, page: { limit?: number; beforeSeq?: number } = {}): Promise<EisvStateRow[]> {
      return (await core.agentStateHistory(db, { agentId, limit: page.limit, beforeSeq: page.beforeSeq })).map(toStateRow);
    },

    /** Every constant of the model (core.eisv_params()). */
    async params(): Promise<Record<string, number | string>> {
      return (await core.eisvParams(db)) as Record<string, number | string>;
    },
  };
}

type ValueRow = Pick<CoreGetAgentStateRow, 'energy' | 'information' | 'entropy' | 'void' | 'coherence' | 'risk' | 'phi' | 'regime' | 'verdict' | 'health_status' | 'decision'>;

function values(row: ValueRow): EisvValues {
  return {
    energy: row.energy,
    information: row.information,
    entropy: row.entropy,
    void: row.void,
    coherence: row.coherence,
    risk: row.risk,
    phi: row.phi,
    regime: row.regime,
    verdict: row.verdict,
    healthStatus: row.health_status,
    decision: row.decision,
  };
}

function toStateRow(row: CoreGetAgentStateRow | CoreAgentStateHistoryRow): EisvStateRow {
  return {
    ...values(row),
    seq: Number(row.seq),
    state: (row.state ?? {}) as Record<string, unknown>,
    recordedAt: row.recorded_at,
  };
}
