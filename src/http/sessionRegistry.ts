import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { SessionLimits } from '../config';
import type { ServerMetrics } from '../mcp/observability';

/** One live MCP session over Streamable HTTP: its transport, its MCP Server, who opened it, when it was last used. */
export interface LiveSession {
  id: string;
  transport: StreamableHTTPServerTransport;
  server: Server;
  clientAddress: string;
  lastSeenAt: number;
  /** requests of this session still running (an open GET/SSE stream counts): never expired while > 0 */
  inFlight: number;
}

/** Why an `initialize` was refused: a stable code, the HTTP status and when to retry. */
export interface Refusal {
  code: 'MCP_SESSIONS_FULL' | 'MCP_CLIENT_SESSIONS_FULL' | 'RATE_LIMITED';
  reason: 'server_cap' | 'client_cap' | 'initialize_rate';
  status: 503 | 429;
  message: string;
  retryAfterSeconds: number;
}

/**
 * The bounded set of MCP sessions of one server process (issue 13: every long-lived resource has a
 * bound). Sessions idle longer than `limits.idleMs` are closed (transport and MCP Server) by a sweep
 * that runs every min(idleMs / 4, 10 s); at most `maxSessions` live sessions per process and
 * `maxSessionsPerClient` per client address; at most `initializePerMinute` `initialize` requests
 * per client address in any sliding minute. Local to the process: each server of a fleet bounds
 * its own memory. `close()` stops the sweep and closes every session.
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, LiveSession>();
  private readonly perClient = new Map<string, number>();
  /** start times (ms) of recent `initialize` requests per client address, oldest first */
  private readonly initializeLog = new Map<string, number[]>();
  private readonly sweepTimer: NodeJS.Timeout;
  private closed = false;
  /**
   * Called for each session that expired for idleness, after it is closed here. With shared session
   * records (several servers) the app ends it everywhere: an idle session must not be restored.
   */
  onExpired?: (id: string) => Promise<void>;

  constructor(
    readonly limits: SessionLimits,
    private readonly metrics?: ServerMetrics,
    private readonly now: () => number = Date.now,
  ) {
    this.sweepTimer = setInterval(() => void this.sweep(), Math.max(50, Math.min(Math.floor(limits.idleMs / 4), 10_000)));
    this.sweepTimer.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  get(id: string): LiveSession | undefined {
    return this.sessions.get(id);
  }

  /**
   * Decides whether `clientAddress` may open a session now; counts the attempt against the
   * initialize rate. Returns the refusal, or null when allowed.
   */
  admit(clientAddress: string): Refusal | null {
    const t = this.now();
    const windowStart = t - 60_000;
    const log = (this.initializeLog.get(clientAddress) ?? []).filter((s) => s > windowStart);
    let refusal: Refusal | null = null;
    if (log.length >= this.limits.initializePerMinute) {
      refusal = {
        code: 'RATE_LIMITED', reason: 'initialize_rate', status: 429,
        message: `Too many initialize requests from ${clientAddress}: ${this.limits.initializePerMinute} a minute allowed (GOVDB_INITIALIZE_PER_MINUTE).`,
        retryAfterSeconds: Math.max(1, Math.ceil((log[0]! + 60_000 - t) / 1000)),
      };
    } else if (this.sessions.size >= this.limits.maxSessions) {
      refusal = {
        code: 'MCP_SESSIONS_FULL', reason: 'server_cap', status: 503,
        message: `This server holds its maximum of ${this.limits.maxSessions} live MCP sessions (GOVDB_MAX_SESSIONS); end unused sessions with DELETE /mcp or retry later.`,
        retryAfterSeconds: Math.max(1, Math.ceil(Math.min(this.limits.idleMs, 60_000) / 1000)),
      };
    } else if ((this.perClient.get(clientAddress) ?? 0) >= this.limits.maxSessionsPerClient) {
      refusal = {
        code: 'MCP_CLIENT_SESSIONS_FULL', reason: 'client_cap', status: 429,
        message: `${clientAddress} holds its maximum of ${this.limits.maxSessionsPerClient} live MCP sessions (GOVDB_MAX_SESSIONS_PER_CLIENT); end unused sessions with DELETE /mcp or reuse one.`,
        retryAfterSeconds: Math.max(1, Math.ceil(Math.min(this.limits.idleMs, 60_000) / 1000)),
      };
    }
    if (!refusal) log.push(t);
    if (log.length) this.initializeLog.set(clientAddress, log);
    else this.initializeLog.delete(clientAddress);
    if (refusal) this.metrics?.mcpSessionRejections.inc({ reason: refusal.reason });
    return refusal;
  }

  /** Records a session whose `initialize` succeeded. */
  add(session: Omit<LiveSession, 'lastSeenAt' | 'inFlight'>): LiveSession {
    const live: LiveSession = { ...session, lastSeenAt: this.now(), inFlight: 0 };
    this.sessions.set(session.id, live);
    this.perClient.set(session.clientAddress, (this.perClient.get(session.clientAddress) ?? 0) + 1);
    this.metrics?.mcpSessionsOpened.inc();
    this.metrics?.mcpSessions.set(this.sessions.size);
    return live;
  }

  /** Forgets a session (its transport closed: DELETE, expiry or shutdown). Idempotent. */
  remove(id: string, reason: 'deleted' | 'expired' | 'shutdown'): void {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    const n = (this.perClient.get(s.clientAddress) ?? 1) - 1;
    if (n > 0) this.perClient.set(s.clientAddress, n);
    else this.perClient.delete(s.clientAddress);
    this.metrics?.mcpSessionsClosed.inc({ reason });
    this.metrics?.mcpSessions.set(this.sessions.size);
  }

  /** Marks a request of the session as started; call the returned function when it ends. */
  touch(session: LiveSession): () => void {
    session.lastSeenAt = this.now();
    session.inFlight++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      session.inFlight--;
      session.lastSeenAt = this.now();
    };
  }

  private async closeSession(s: LiveSession, reason: 'expired' | 'shutdown'): Promise<void> {
    this.remove(s.id, reason);
    await s.server.close().catch(() => undefined); // closes the transport too
    await s.transport.close().catch(() => undefined);
    if (reason === 'expired') await this.onExpired?.(s.id).catch(() => undefined);
  }

  /** Closes the sessions idle longer than limits.idleMs; returns how many. */
  async sweep(): Promise<number> {
    const cutoff = this.now() - this.limits.idleMs;
    const expired = [...this.sessions.values()].filter((s) => s.inFlight === 0 && s.lastSeenAt < cutoff);
    await Promise.all(expired.map((s) => this.closeSession(s, 'expired')));
    // forget initialize logs that fell out of the window
    const windowStart = this.now() - 60_000;
    for (const [address, log] of this.initializeLog) if (!log.length || log[log.length - 1]! <= windowStart) this.initializeLog.delete(address);
    return expired.length;
  }

  /** Stops the sweep and closes every session. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweepTimer);
    await Promise.all([...this.sessions.values()].map((s) => this.closeSession(s, 'shutdown')));
    this.initializeLog.clear();
  }
}
