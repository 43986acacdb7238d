import { PgClientLike, PgPoolLike, tryAdvisoryLock } from '../db/advisoryLock';
import { DedicatedConnection, openDedicatedConnection } from '../db/dedicatedConnection';

/** Name of the PostgreSQL session advisory lock whose holder runs the background work. */
export const LEADER_LOCK = 'govdb.leader';

/** One periodic background job; `run` gets a connection that is NOT behind a transaction pooler. */
export interface LeaderJob {
  name: string;
  /** time between two runs (ms); the first run starts when leadership is won */
  intervalMs: number;
  run(db: PgPoolLike): Promise<unknown>;
}

export interface LeaderState {
  isLeader: boolean;
  /** ISO 8601 UTC time leadership was won, null when not leader */
  since: string | null;
  /** how many times this process won leadership */
  acquisitions: number;
  /** completed runs per job name, since start */
  runs: Record<string, number>;
  /** last error of the election or of a job, null when none */
  lastError: string | null;
}

export interface LeaderOptions {
  /** direct PostgreSQL URL (the primary, never PgBouncer in transaction mode: the lock is session-scoped) */
  url?: string;
  /** how often a follower tries to take the lock and a leader checks its connection (ms, default 2000) */
  pollMs?: number;
  jobs: LeaderJob[];
  log: (line: string) => void;
  /** embedded store: one process, no election; jobs run on this pool */
  alwaysLeaderPool?: PgPoolLike;
  lockName?: string;
}

/**
 * Leader election for background work with a PostgreSQL session advisory lock held on one dedicated
 * connection (`pg_try_advisory_lock`). Leadership lasts exactly as long as that connection: when the
 * leader process dies its socket closes, PostgreSQL ends the backend and frees the lock, and a
 * follower takes it at its next poll (takeover bound ≈ pollMs + the time PostgreSQL needs to notice the
 * closed socket; after a network partition without a FIN, TCP keepalive decides). A leader that
 * loses its connection stops its jobs at once. Jobs run on the leader's connection, so they never
 * depend on a pooler's server session and never run twice at the same time.
 */
export class Leader {
  private client: DedicatedConnection | undefined;
  private timers: NodeJS.Timeout[] = [];
  private poller: NodeJS.Timeout | undefined;
  private stopped = false;
  private electing: Promise<void> | undefined;
  private readonly st: LeaderState = { isLeader: false, since: null, acquisitions: 0, runs: {}, lastError: null };

  constructor(private readonly options: LeaderOptions) {
    for (const job of options.jobs) this.st.runs[job.name] = 0;
  }

  state(): LeaderState {
    return { ...this.st, runs: { ...this.st.runs } };
  }

  start(): void {
    if (this.options.alwaysLeaderPool) {
      this.win(this.options.alwaysLeaderPool);
      return;
    }
    const tick = () => {
      this.electing ??= this.elect().finally(() => (this.electing = undefined));
    };
    tick();
    this.poller = setInterval(tick, this.options.pollMs ?? 2000);
    this.poller.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poller);
    await this.electing?.catch(() => undefined);
    this.lose(null);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }

  private async elect(): Promise<void> {
    if (this.stopped) return;
    try {
      if (this.st.isLeader) {
        await this.client!.query('select 1'); // a broken connection shows here (and in 'error'/'end')
        return;
      }
      if (!this.client) {
        // the session holds the lock: when it is lost, so is leadership (onLost runs only after open)
        const c: DedicatedConnection = await openDedicatedConnection(this.options.url, {
          applicationName: 'govdb leader',
          onLost: (err) => this.dropConnection(c, err),
        });
        if (this.stopped) return void (await c.end());
        this.client = c;
      }
      if ((await tryAdvisoryLock(this.client, this.options.lockName ?? LEADER_LOCK)) && !this.stopped) {
        const c = this.client;
        this.win({
          query: c.query.bind(c),
          connect: async (): Promise<PgClientLike> => ({ query: c.query.bind(c), release: () => undefined }),
        });
      }
    } catch (err) {
      this.st.lastError = (err as Error).message;
      if (this.client) this.dropConnection(this.client, err as Error);
    }
  }

  private dropConnection(c: DedicatedConnection, err: Error): void {
    if (this.client !== c) return;
    this.client = undefined;
    if (this.st.isLeader) this.options.log(`govdb: leadership lost (${err.message})`);
    this.lose(err.message);
    c.end().catch(() => undefined);
  }

  private win(db: PgPoolLike): void {
    this.st.isLeader = true;
    this.st.since = new Date().toISOString();
    this.st.acquisitions++;
    this.options.log('govdb: this server is the leader for background work');
    for (const job of this.options.jobs) {
      let running = false;
      const runJob = () => {
        if (running || !this.st.isLeader) return;
        running = true;
        job.run(db).then(
          () => {
            this.st.runs[job.name] = (this.st.runs[job.name] ?? 0) + 1;
          },
          (err: Error) => {
            this.st.lastError = `${job.name}: ${err.message}`;
            this.options.log(`govdb: ${job.name} failed: ${err.message}`);
          },
        ).finally(() => (running = false));
      };
      runJob();
      const t = setInterval(runJob, job.intervalMs);
      t.unref();
      this.timers.push(t);
    }
  }

  private lose(reason: string | null): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.st.isLeader = false;
    this.st.since = null;
    if (reason) this.st.lastError = reason;
  }
}
