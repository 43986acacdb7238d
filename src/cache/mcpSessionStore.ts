import { RedisKeys } from './keys';
import { LruTtlMap } from './lruTtlMap';
import { RedisAvailability } from './redisAvailability';

/** What a server needs to continue an MCP session another server initialised (no secrets in it). */
export interface McpSessionRecord {
  /** protocol version negotiated at initialize (e.g. "2025-06-18") */
  protocolVersion: string;
  /** the client's `clientInfo` from initialize ({ name, version, ... }) */
  clientInfo: Record<string, unknown> | null;
  /** the client's capabilities from initialize */
  capabilities: Record<string, unknown>;
  /** ISO 8601 UTC time of initialize */
  createdAt: string;
  /** the server (GOVDB_SERVER_NAME or host:pid) that ran initialize */
  initializedBy: string;
}

export interface McpSessionStore {
  save(sessionId: string, record: McpSessionRecord): Promise<void>;
  /**
   * The record, with its expiry slid to a full TTL; null when it is gone (never created, expired, or
   * ended by DELETE on any server); 'unknown' when Redis cannot answer and this process has no copy.
   */
  load(sessionId: string): Promise<McpSessionRecord | null | 'unknown'>;
  delete(sessionId: string): Promise<void>;
}

/**
 * MCP session records in Redis (`mcpsession:{id}`, JSON, sliding TTL = the session TTL), so any server
 * can restore a session another one initialised. The agent binding of the session is NOT here: it
 * lives in core.sessions (PostgreSQL) and the session cache, so a restored session keeps its agent
 * even when Redis lost this record. In memory mode (Redis down) records created meanwhile are kept in
 * this process and written to Redis at their next load once it answers; sessions then continue only
 * on the server that holds them, and others answer 404 (the client re-initialises, as the MCP
 * specification requires).
 */
export class RedisMcpSessionStore implements McpSessionStore {
  /** records saved while Redis could not take them (written back at their next load) */
  private readonly memory: LruTtlMap<McpSessionRecord>;

  constructor(private readonly redis: RedisAvailability, private readonly keys: RedisKeys, private readonly ttlMs: number, maxEntries: number) {
    this.memory = new LruTtlMap(maxEntries);
  }

  private key(sessionId: string): string {
    return `${this.keys.prefix}mcpsession:{${sessionId.replace(/[{}%]/g, (c) => encodeURIComponent(c))}}`;
  }

  async save(sessionId: string, record: McpSessionRecord): Promise<void> {
    await this.redis.run(
      async (r) => {
        await r.set(this.key(sessionId), JSON.stringify(record), 'PX', this.ttlMs);
      },
      () => this.memory.set(sessionId, record, this.ttlMs),
    );
  }

  async load(sessionId: string): Promise<McpSessionRecord | null | 'unknown'> {
    return this.redis.run(
      async (r) => {
        const json = await r.getex(this.key(sessionId), 'PX', this.ttlMs);
        if (json !== null) return JSON.parse(json) as McpSessionRecord;
        const unsynced = this.memory.get(sessionId);
        if (!unsynced) return null;
        await r.set(this.key(sessionId), JSON.stringify(unsynced), 'PX', this.ttlMs);
        this.memory.delete(sessionId);
        return unsynced;
      },
      () => this.memory.get(sessionId) ?? 'unknown',
    );
  }

  async delete(sessionId: string): Promise<void> {
    this.memory.delete(sessionId);
    await this.redis.run(
      async (r) => {
        await r.del(this.key(sessionId));
      },
      () => undefined,
    );
  }
}
