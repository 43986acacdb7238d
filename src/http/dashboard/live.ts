import type { Request, Response } from 'express';
import type { ChannelListener } from '../../db/notifications';
import { DASHBOARD_CHANNEL, DashboardService } from '../../domain/dashboard';

/**
 * The dashboard's live channel. Change signals come from PostgreSQL, so a write made through any
 * server process reaches pages served by every process:
 * - PostgreSQL store: one dedicated connection per process LISTENs on `govdb_dashboard` (triggers of
 *   migration dashboard_live NOTIFY the changed table's name at commit). EISV updates send no NOTIFY
 *   (a queued notification serialises commits: migration dashboard_notify_off_update_path), so while
 *   a page is open the hub also polls core.dashboard_update_cursor() every `updatePollMs` (an index
 *   read) and signals core.agent_state and core.agents when it moved;
 * - embedded store (one backend session, no second connection to LISTEN on): the hub polls
 *   core.dashboard_changes() once a second and signals the tables whose cursor moved.
 * Pages receive Server-Sent Events `change` with `{"tables": [...]}`, coalesced to at most one event
 * per client every `coalesceMs` (back-pressure: while a client's socket buffer is full, its changes
 * accumulate and are sent as one event on 'drain'), and a comment heartbeat every 15 s.
 */

export const CHANNEL = DASHBOARD_CHANNEL;

/** What the hub reads: the dashboard service's change cursor and change signals. */
export type ChangeSource = Pick<DashboardService, 'changes' | 'subscribe' | 'updateCursor'>;

export interface LiveHubOptions {
  mode: () => Promise<'listen' | 'poll'>;
  coalesceMs?: number;
  pollMs?: number;
  /** listen mode: how often the EISV update cursor is polled while a page is open; default 250 ms */
  updatePollMs?: number;
  /** open live connections per process before new ones get 503 (the page then polls); default 200 */
  maxSubscribers?: number;
  log: (line: string) => void;
}

interface Subscriber {
  res: Response;
  pending: Set<string>;
  timer: NodeJS.Timeout | null;
  blocked: boolean;
}

export class LiveHub {
  private readonly subscribers = new Set<Subscriber>();
  private started: Promise<void> | null = null;
  private listener: ChannelListener | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private lastCursor: Record<string, unknown> | null = null;
  private closed = false;

  constructor(
    private readonly source: ChangeSource,
    private readonly options: LiveHubOptions,
  ) {}

  /** Number of open live connections in this process. */
  size(): number {
    return this.subscribers.size;
  }

  private ensureStarted(): Promise<void> {
    if (!this.started) {
      this.started = this.start().catch((err: Error) => {
        this.started = null;
        throw err;
      });
    }
    return this.started;
  }

  private async start(): Promise<void> {
    const mode = await this.options.mode();
    if (mode === 'listen') {
      this.listener = await this.source.subscribe({
        notify: (payload) => this.signal([payload || 'unknown']),
        lost: (err) => {
          this.options.log(`govdb: dashboard live listener lost its connection: ${err.message}; reconnecting`);
          this.restart();
        },
      });
      let lastUpdate = await this.source.updateCursor();
      const pollUpdates = async () => {
        if (this.closed || !this.subscribers.size) return;
        const cursor = await this.source.updateCursor();
        if (cursor !== lastUpdate) this.signal(['core.agent_state', 'core.agents']);
        lastUpdate = cursor;
      };
      this.pollTimer = setInterval(() => void pollUpdates().catch((err: Error) => this.options.log(`govdb: dashboard live poll failed: ${err.message}`)), this.options.updatePollMs ?? 250);
      this.pollTimer.unref();
    } else {
      this.lastCursor = await this.source.changes();
      const poll = async () => {
        if (this.closed || !this.subscribers.size) return;
        const cursor = await this.source.changes();
        const moved = Object.keys(cursor).filter((k) => JSON.stringify(cursor[k]) !== JSON.stringify(this.lastCursor?.[k]));
        this.lastCursor = cursor;
        if (moved.length) this.signal(moved);
      };
      this.pollTimer = setInterval(() => void poll().catch((err: Error) => this.options.log(`govdb: dashboard live poll failed: ${err.message}`)), this.options.pollMs ?? 1000);
      this.pollTimer.unref();
    }
    this.heartbeat = setInterval(() => {
      for (const s of this.subscribers) if (!s.blocked) s.res.write(': heartbeat\n\n');
    }, 15_000);
    this.heartbeat.unref();
  }

  private restart(): void {
    const old = this.listener;
    this.listener = null;
    this.started = null;
    // start() makes new timers: stop the old ones, or each reconnect would add a poller
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.pollTimer = this.heartbeat = null;
    old?.close().catch(() => undefined);
    if (this.closed) return;
    setTimeout(() => void this.ensureStarted().catch((err: Error) => this.options.log(`govdb: dashboard live listener cannot reconnect: ${err.message}`)), 1000).unref();
  }

  /** Queues `tables` for every subscriber; each gets at most one event per coalescing window. */
  signal(tables: string[]): void {
    for (const s of this.subscribers) {
      for (const t of tables) s.pending.add(t);
      this.schedule(s);
    }
  }

  private schedule(s: Subscriber): void {
    if (s.timer || s.blocked) return;
    s.timer = setTimeout(() => {
      s.timer = null;
      this.flush(s);
    }, this.options.coalesceMs ?? 200);
  }

  private flush(s: Subscriber): void {
    if (!s.pending.size) return;
    const tables = [...s.pending].sort();
    s.pending.clear();
    const ok = s.res.write(`event: change\ndata: ${JSON.stringify({ tables, at: new Date().toISOString() })}\n\n`);
    if (!ok) {
      s.blocked = true;
      s.res.once('drain', () => {
        s.blocked = false;
        this.schedule(s);
      });
    }
  }

  /** Serves one SSE connection until the client goes away. */
  async serve(req: Request, res: Response): Promise<void> {
    const max = this.options.maxSubscribers ?? 200;
    if (this.subscribers.size >= max) {
      res.status(503).setHeader('Retry-After', '30');
      res.json({ error: { code: 'UNAVAILABLE', message: `This server already holds ${max} live dashboard connections.`, hint: 'The page polls instead and retries later; close idle dashboard tabs.' } });
      return;
    }
    await this.ensureStarted();
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify({ at: new Date().toISOString() })}\n\n`);
    const sub: Subscriber = { res, pending: new Set(), timer: null, blocked: false };
    this.subscribers.add(sub);
    req.on('close', () => {
      if (sub.timer) clearTimeout(sub.timer);
      this.subscribers.delete(sub);
    });
  }

  /** Ends every live connection and the listener. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const s of this.subscribers) {
      if (s.timer) clearTimeout(s.timer);
      s.res.end();
    }
    this.subscribers.clear();
    await this.listener?.close().catch(() => undefined);
    this.listener = null;
  }
}
