import {
  core,
  CoreDashboardAgentsArgs,
  CoreDashboardAgentsRow,
  CoreDashboardDialecticSessionsArgs,
  CoreDashboardDialecticSessionsRow,
  CoreDashboardNeighbourhoodArgs,
  CoreDashboardNeighbourhoodRow,
  CoreDashboardTrajectoryArgs,
  CoreDashboardTrajectoryRow,
} from '../db/generated/functions';
import type { ChannelListener, Listen, NotificationHandlers } from '../db/notifications';
import { Queryable } from '../db/pool';
import { GovdbError } from '../errors';

/**
 * The operator dashboard's reads (docs/dashboard.md): one read-only stored function of
 * sql/functions/dashboard.sql per method (page bounds are checked there), plus the change signals of
 * the live channel. The HTTP layer (src/http/dashboard) shapes the answers.
 */

/** The NOTIFY channel of the dashboard_live statement triggers; the payload is the changed table's name. */
export const DASHBOARD_CHANNEL = 'govdb_dashboard';

export interface DashboardServiceOptions {
  /** LISTEN support (src/db/notifications.ts); absent (the embedded store): `subscribe` is refused and the hub polls `changes` */
  listen?: Listen;
}

export type DashboardService = ReturnType<typeof createDashboardService>;

export function createDashboardService(db: Queryable, options: DashboardServiceOptions = {}) {
  return {
    /** fleet counts by status, decisions and verdicts (jsonb object) */
    fleet: (): Promise<unknown> => core.dashboardFleet(db),
    /** one page of agents; every row carries the total (total_count) of the filtered list */
    agents: (args: CoreDashboardAgentsArgs): Promise<CoreDashboardAgentsRow[]> => core.dashboardAgents(db, args),
    /** one agent's profile, state and recent history (jsonb); NOT_FOUND for an unknown id */
    agent: (agentId: string): Promise<unknown> => core.dashboardAgent(db, { agentId }),
    /** EISV history after a seq, oldest first */
    trajectory: (args: CoreDashboardTrajectoryArgs): Promise<CoreDashboardTrajectoryRow[]> => core.dashboardTrajectory(db, args),
    /** one page of dialectic sessions with their message counts; every row carries the total (total_count) */
    dialecticSessions: (args: CoreDashboardDialecticSessionsArgs): Promise<CoreDashboardDialecticSessionsRow[]> => core.dashboardDialecticSessions(db, args),
    /** the graph neighbourhood of a vertex (edges with both ends described) */
    neighbourhood: (args: CoreDashboardNeighbourhoodArgs): Promise<CoreDashboardNeighbourhoodRow[]> => core.dashboardNeighbourhood(db, args),
    /** the hash chain check of the latest `window` audit events (jsonb) */
    auditChain: (window: number): Promise<unknown> => core.dashboardAuditChain(db, { window }),
    /** database and platform figures (jsonb) */
    platform: (): Promise<unknown> => core.dashboardPlatform(db),
    /** a change cursor per watched table (jsonb object): a table changed when its value moved */
    changes: async (): Promise<Record<string, unknown>> => ((await core.dashboardChanges(db)) ?? {}) as Record<string, unknown>,
    /** the newest EISV state id (bigint as a string): EISV updates send no NOTIFY, so the live channel polls this */
    updateCursor: (): Promise<string> => core.dashboardUpdateCursor(db),
    /**
     * Signals of committed changes: `notify` gets a changed table's name. UNAVAILABLE when this store
     * cannot listen (poll `changes` instead); otherwise the connection's errors.
     */
    subscribe: async (handlers: NotificationHandlers): Promise<ChannelListener> => {
      if (!options.listen) throw new GovdbError('UNAVAILABLE', 'This store cannot LISTEN for dashboard changes.', { hint: 'Poll changes() instead.' });
      return options.listen(DASHBOARD_CHANNEL, handlers);
    },
  };
}
