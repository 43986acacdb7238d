import { AsyncLocalStorage } from 'async_hooks';
import type { Pool } from 'pg';
import type { Queryable } from './pool';
import type { ReplicaMonitor } from './replicas';

/** Per caller, the WAL position of its last write; the cache layer provides it (src/cache/commitMarks.ts). */
export interface CommitMarks {
  raise(caller: string, position: bigint): Promise<void>;
  get(caller: string): Promise<bigint | undefined>;
}

interface Scope {
  /** the caller's last write position; undefined = unknown → primary */
  minPosition: bigint | undefined;
}

export interface ReadRouterOptions {
  primary: Pool;
  replicas: ReplicaMonitor;
  marks: CommitMarks;
  /** how long a read waits for a replica to replay the caller's last write before using the primary (ms, default 50) */
  waitMs?: number;
}

export interface ReadRoutingStats {
  replicaReads: number;
  primaryReads: number;
  /** replica queries that failed and were run again on the primary */
  fallbacks: number;
}

const READ_ONLY_TRANSACTION = '25006';

/**
 * Sends the queries of read-only tool calls to a read replica that has replayed the caller's last
 * write (read-your-writes), else to the primary. Writes record the primary's WAL insert position
 * after the call (one extra round trip, only when replicas are configured) in CommitMarks, shared by
 * all servers. A replica that is down or lagging past the bound (ReplicaMonitor) is skipped; a query
 * that fails on a replica (connection lost, or a write reached it: 25006) runs again on the primary.
 * Queries outside a read-only call, transactions (`connect()`) and Redis-unknown callers go to the primary.
 */
export class ReadRouter {
  private readonly als = new AsyncLocalStorage<Scope>();
  private readonly st: ReadRoutingStats = { replicaReads: 0, primaryReads: 0, fallbacks: 0 };

  constructor(private readonly options: ReadRouterOptions) {}

  stats(): ReadRoutingStats {
    return { ...this.st };
  }

  /** A Queryable for domain services: routes by the current call's scope. */
  queryable(): Queryable {
    const query = (async (...args: unknown[]) => {
      const scope = this.als.getStore();
      const primary = this.options.primary;
      if (!scope) return (primary.query as (...a: unknown[]) => unknown)(...args);
      const replica = await this.pick(scope.minPosition);
      if (!replica) {
        this.st.primaryReads++;
        return (primary.query as (...a: unknown[]) => unknown)(...args);
      }
      try {
        const result = await (replica.query as (...a: unknown[]) => Promise<unknown>)(...args);
        this.st.replicaReads++;
        return result;
      } catch (err) {
        const code = (err as { code?: string }).code;
        // errors of the query itself (bad input, not found) are the answer; only replica trouble falls back
        if (code && code !== READ_ONLY_TRANSACTION && !code.startsWith('08') && !code.startsWith('57P')) throw err;
        this.st.fallbacks++;
        this.st.primaryReads++;
        return (primary.query as (...a: unknown[]) => unknown)(...args);
      }
    }) as unknown as Queryable['query'];
    return { query };
  }

  /**
   * Runs one tool call: a read-only call's service queries may go to a replica; after a successful
   * write call the caller's commit mark is raised. `caller` is read after fn (onboard binds it).
   */
  async run<T>(readOnly: boolean, caller: () => string, fn: () => Promise<T>): Promise<T> {
    if (readOnly) {
      const minPosition = await this.options.marks.get(caller()).catch(() => undefined);
      return this.als.run({ minPosition }, fn);
    }
    const result = await fn();
    const { rows } = await this.options.primary.query<{ pos: string }>(`select (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::text as pos`);
    await this.options.marks.raise(caller(), BigInt(rows[0]!.pos.split('.')[0]!));
    return result;
  }

  private async pick(minPosition: bigint | undefined): Promise<Pool | undefined> {
    if (minPosition === undefined) return undefined;
    const states = this.options.replicas.state();
    const usable = states.map((s, i) => ({ s, i })).filter(({ s }) => s.usable);
    // the last probe already saw the write replayed: no extra round trip
    const known = usable.find(({ s }) => s.replayBytes !== null && s.replayBytes >= minPosition);
    if (known) return this.options.replicas.pool(known.i);
    if (!usable.length) return undefined;
    const { i } = usable[0]!;
    const pool = this.options.replicas.pool(i);
    const deadline = Date.now() + (this.options.waitMs ?? 50);
    try {
      for (;;) {
        const { rows } = await pool.query<{ pos: string | null }>(`select (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::text as pos`);
        const pos = rows[0]?.pos;
        if (pos && BigInt(pos.split('.')[0]!) >= minPosition) return pool;
        if (Date.now() >= deadline) return undefined;
        await new Promise((r) => setTimeout(r, 5));
      }
    } catch {
      return undefined;
    }
  }
}
