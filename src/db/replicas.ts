import { Pool } from 'pg';
import { GovdbError } from '../errors';
import { createPool, redactUrl } from './pool';

/** What is known about one read replica (DB_POSTGRES_READ_URL). */
export interface ReplicaState {
  /** the URL without its password */
  url: string;
  up: boolean;
  /** bytes of WAL the replica has not replayed yet (primary's current LSN − replica's replay LSN) */
  lagBytes: number | null;
  /** seconds since the last replayed transaction's commit (null when nothing was replayed yet) */
  lagSeconds: number | null;
  /** up, in recovery, and lagging at most `maxLagBytes` */
  usable: boolean;
  /** WAL position the replica has replayed (bytes since 0/0), at the last probe */
  replayBytes: bigint | null;
  checkedAt: string | null;
  error: string | null;
}

export interface ReplicaMonitorOptions {
  primary: Pool;
  urls: string[];
  /** how often each replica is probed (ms, default 2000) */
  intervalMs?: number;
  /** a replica further behind than this is skipped (bytes, default 16 MiB) */
  maxLagBytes?: number;
}

/** Parses DB_POSTGRES_READ_URL: one or more postgres:// URLs separated by commas; CONFIG_INVALID otherwise. */
export function readUrlsFromEnv(value: string | undefined): string[] {
  const urls = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const bad = urls.filter((u) => !/^postgres(ql)?:\/\/./.test(u));
  if (bad.length) {
    throw new GovdbError('CONFIG_INVALID', `DB_POSTGRES_READ_URL must be postgres:// URLs separated by commas (${bad.length} entry/entries are not, e.g. one starting ${JSON.stringify(bad[0]!.slice(0, 12))})`, {
      hint: 'Example: DB_POSTGRES_READ_URL=postgres://govdb@replica1:5432/govdb,postgres://govdb@replica2:5432/govdb',
    });
  }
  return urls;
}

/**
 * Probes each read replica: reachable, in recovery, replay position against the primary's WAL
 * position (one round trip to each). Feeds /health and /metrics; a replica that is down or further
 * behind than maxLagBytes is marked unusable.
 */
export class ReplicaMonitor {
  private readonly pools: Pool[];
  private readonly states: ReplicaState[];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ReplicaMonitorOptions) {
    this.pools = options.urls.map((url) => {
      return createPool(url, { max: 5, connectTimeoutMs: 1000, applicationName: 'govdb replica' });
    });
    this.states = options.urls.map((url) => ({ url: redactUrl(url), up: false, lagBytes: null, lagSeconds: null, usable: false, replayBytes: null, checkedAt: null, error: 'not probed yet' }));
  }

  /** the pool of replica i (same order as the URLs) */
  pool(i: number): Pool {
    return this.pools[i]!;
  }

  state(): ReplicaState[] {
    return this.states.map((s) => ({ ...s }));
  }

  start(): void {
    if (!this.pools.length) return;
    void this.probeAll();
    this.timer = setInterval(() => void this.probeAll(), this.options.intervalMs ?? 2000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.pools.map((p) => p.end().catch(() => undefined)));
  }

  /** Probes every replica once (also called by the timer). */
  async probeAll(): Promise<void> {
    let primaryLsn: string | null = null;
    try {
      const { rows } = await this.options.primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
      primaryLsn = rows[0]?.lsn ?? null;
    } catch {
      primaryLsn = null;
    }
    await Promise.all(this.pools.map(async (pool, i) => {
      const st = this.states[i]!;
      try {
        const { rows } = await pool.query<{ recovery: boolean; lag_bytes: string | null; lag_s: number | null; replay: string | null }>(
          `select pg_is_in_recovery() as recovery,
                  (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::text as replay,
                  case when $1::pg_lsn is null then null else pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn())::bigint end as lag_bytes,
                  extract(epoch from now() - pg_last_xact_replay_timestamp())::float8 as lag_s`,
          [primaryLsn],
        );
        const r = rows[0]!;
        st.up = true;
        st.lagBytes = r.lag_bytes === null ? null : Math.max(0, Number(r.lag_bytes));
        st.lagSeconds = r.lag_s;
        st.replayBytes = r.replay === null ? null : BigInt(r.replay.split('.')[0]!);
        st.error = r.recovery ? null : 'not in recovery: this is not a replica';
        st.usable = r.recovery && st.lagBytes !== null && st.lagBytes <= (this.options.maxLagBytes ?? 16 * 1024 * 1024);
      } catch (err) {
        st.up = false;
        st.usable = false;
        st.replayBytes = null;
        st.error = (err as Error).message;
      }
      st.checkedAt = new Date().toISOString();
    }));
  }
}
