import { core } from '../db/generated/functions';
import { PgPoolLike, withAdvisoryLock } from '../db/advisoryLock';
import { CachedSessionStore } from './sessionStore';

/** Name of the PostgreSQL advisory lock that lets one server at a time run the cleanup. */
export const SESSION_CLEANUP_LOCK = 'govdb.sessions.cleanup';

export interface SessionCleanupResult {
  /** false when another server held the lock (this run did nothing). */
  ran: boolean;
  deleted: number;
}

/**
 * Deletes expired bindings from core.sessions in batches and drops their ids from the agents'
 * Redis indexes (the `session:{id}` keys expire by themselves). It deletes PostgreSQL data, so it is
 * guarded by a PostgreSQL advisory lock (try-lock: a server that finds it taken skips its turn); that
 * lock also works while Redis is down, when Redis locks would only be per-process.
 */
export async function cleanupExpiredSessions(pool: PgPoolLike, store: CachedSessionStore, batchSize = 1000): Promise<SessionCleanupResult> {
  const outcome = await withAdvisoryLock(pool, SESSION_CLEANUP_LOCK, async (client) => {
    let deleted = 0;
    for (;;) {
      const rows = await core.deleteExpiredSessions(client, { limit: batchSize });
      deleted += rows.length;
      const byAgent = new Map<string, string[]>();
      for (const row of rows) byAgent.set(row.agent_id, [...(byAgent.get(row.agent_id) ?? []), row.session_id]);
      for (const [agentId, ids] of byAgent) await store.pruneIndex(agentId, ids);
      if (rows.length < batchSize) return deleted;
    }
  });
  return outcome.acquired ? { ran: true, deleted: outcome.result } : { ran: false, deleted: 0 };
}

/** Runs cleanupExpiredSessions every `intervalMs` (the timer does not keep the process alive). */
export class SessionCleanupJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SessionCleanupResult> | undefined;
  lastResult: SessionCleanupResult | undefined;
  lastError: Error | undefined;

  constructor(private readonly pool: PgPoolLike, private readonly store: CachedSessionStore, private readonly intervalMs: number) {}

  start(): void {
    this.timer ??= setInterval(() => {
      this.runOnce().then(
        () => (this.lastError = undefined),
        (err: Error) => (this.lastError = err),
      );
    }, this.intervalMs);
    this.timer.unref();
  }

  /** One run now (joins a run in progress); throws what the run threw. */
  async runOnce(): Promise<SessionCleanupResult> {
    this.running ??= cleanupExpiredSessions(this.pool, this.store).finally(() => (this.running = undefined));
    this.lastResult = await this.running;
    return this.lastResult;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
