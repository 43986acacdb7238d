import type { Queryable } from '../db/pool';
import { core, CoreBindSessionRow } from '../db/generated/functions';
import { GovdbError } from '../errors';
import { RedisKeys } from './keys';
import { LruTtlMap } from './lruTtlMap';
import { LuaScript } from './luaScript';
import { RedisLike } from './redisClient';
import { RedisAvailability } from './redisAvailability';

/** One session id bound to one agent. */
export interface SessionBinding {
  sessionId: string;
  agentId: string;
  client: string | null;
  metadata: Record<string, unknown>;
  boundAt: Date;
  /** When the binding expires unless used again (sliding). */
  expiresAt: Date;
}

export interface BindSessionInput {
  sessionId: string;
  agentId: string;
  client?: string | null;
  metadata?: Record<string, unknown>;
}

export interface SessionStore {
  /** Binds (or refreshes) a session; a live binding of another agent is refused (CONFLICT). */
  bind(input: BindSessionInput): Promise<SessionBinding>;
  /** Resolves a binding and slides its expiry; null when unknown or expired. */
  lookup(sessionId: string): Promise<SessionBinding | null>;
  /** Live bindings of one agent, newest first. */
  listByAgent(agentId: string): Promise<SessionBinding[]>;
  /** Removes a binding; false when there was none. */
  unbind(sessionId: string): Promise<boolean>;
}

export interface SessionStoreOptions {
  ttlMs: number;
  durableSlackMs: number;
  memoryRecheckMs: number;
  memoryMaxEntries: number;
}

/** What Redis (and the memory fallback) keep per binding. */
interface CachedBinding {
  agentId: string;
  client: string | null;
  metadata: Record<string, unknown>;
  boundAt: number;
  /** expires_at of the PostgreSQL row (ms): re-extended when less than one TTL is left. */
  durableExpiresAt: number;
  /** when the Redis key expires (ms), as last set: the lookup slides it only when it is due */
  redisExpiresAt?: number;
  /** memory mode only: when PostgreSQL last confirmed the binding. */
  checkedAt?: number;
}

/** Member of an agent's index set meaning "this set was built from PostgreSQL and is complete". */
const COMPLETE = '*';

/** Compare-and-set of a binding's value with a new TTL: a bind or unbind in between wins. */
const SLIDE = new LuaScript(
  `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
   redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
   return 1`, 1);
const PEEK = new LuaScript(
  `local v = redis.call('GET', KEYS[1])
   if not v then return false end
   return {v, redis.call('PTTL', KEYS[1])}`, 1);
/** ARGV: ttl ms, member... ; keeps the index alive as long as its newest binding could be. */
const INDEX_ADD = new LuaScript(
  `redis.call('SADD', KEYS[1], unpack(ARGV, 2))
   redis.call('PEXPIRE', KEYS[1], ARGV[1])
   return 1`, 1);

/**
 * Session bindings: `session:{id}` in Redis with a sliding TTL, written through to core.sessions,
 * whose expiry is kept at least as late (re-extended at most once per `durableSlackMs` of activity).
 * A lookup is one plain GET: the value carries when its key expires, and the TTL is slid (a
 * compare-and-set with a fresh TTL) only once `durableSlackMs` of it has been used, so a binding
 * expires between TTL − durableSlackMs and TTL after its last use, and a busy session costs one
 * extra round trip per `durableSlackMs` instead of a GETEX/PEXPIRE on every lookup. A Redis miss
 * falls through to PostgreSQL and re-warms Redis. The per-agent index `agent:{agent}:sessions` is a
 * set whose COMPLETE marker says it holds every binding of the agent; without the marker (after a
 * flush, or when it expired) the list comes from PostgreSQL and rebuilds the set.
 *
 * In memory mode: bindings are cached in a bounded LRU, re-checked against PostgreSQL every
 * `memoryRecheckMs`; lists come from PostgreSQL; binds and unbinds are queued (bounded) and written
 * back to Redis before it serves again.
 */
export class CachedSessionStore implements SessionStore {
  private readonly memory: LruTtlMap<CachedBinding>;
  /**
   * The decoded value of recently read bindings with the text it came from: a lookup that reads the
   * same text again (the common case: a binding changes once per `durableSlackMs`) skips JSON.parse.
   * A memo of the decode, keyed by the exact text, never a source of truth; bounded like the
   * memory store. Decoded values are shared between lookups: treat a binding as read-only.
   */
  private readonly decoded = new Map<string, { json: string; cached: CachedBinding }>();
  private readonly writeBack = new Map<string, { kind: 'bind' } | { kind: 'unbind'; agentId: string | null }>();
  private writeBackOverflow = 0;

  constructor(
    private readonly db: Queryable,
    private readonly redis: RedisAvailability,
    private readonly keys: RedisKeys,
    private readonly options: SessionStoreOptions,
  ) {
    this.memory = new LruTtlMap(options.memoryMaxEntries);
    redis.onRecovery(() => this.flushWriteBack());
  }

  /** Bindings queued for write-back, and how many were dropped because the queue was full. */
  writeBackState(): { pending: number; dropped: number } {
    return { pending: this.writeBack.size, dropped: this.writeBackOverflow };
  }

  async bind(input: BindSessionInput): Promise<SessionBinding> {
    const row = await core.bindSession(this.db, {
      sessionId: input.sessionId,
      agentId: input.agentId,
      ttlMs: this.durableTtlMs(),
      clientType: input.client ?? null,
      metadata: input.metadata ?? {},
    });
    const cached = fromRow(row);
    await this.redis.run(
      async (r) => {
        this.memory.delete(input.sessionId);
        await r.set(this.keys.session(input.sessionId), JSON.stringify({ ...cached, redisExpiresAt: Date.now() + this.options.ttlMs }), 'PX', this.options.ttlMs);
        await INDEX_ADD.run(r, [this.keys.agentSessions(cached.agentId)], [this.indexTtlMs(), input.sessionId]);
      },
      () => {
        this.memory.set(input.sessionId, { ...cached, checkedAt: Date.now() }, this.options.ttlMs);
        this.queueWriteBack(input.sessionId, { kind: 'bind' });
      },
    );
    return toBinding(input.sessionId, cached, Date.now() + this.options.ttlMs);
  }

  async lookup(sessionId: string): Promise<SessionBinding | null> {
    const now = Date.now();
    const hit = await this.redis.run(
      (r) => {
        const key = this.keys.session(sessionId);
        return r.get(key).then((json) => (json === null ? undefined : this.slideIfDue(r, key, sessionId, json, now)));
      },
      () => {
        const cached = this.memory.get(sessionId, now);
        if (!cached || now - (cached.checkedAt ?? 0) >= this.options.memoryRecheckMs) return undefined;
        this.memory.set(sessionId, cached, this.options.ttlMs, now); // slide
        return cached;
      },
    );
    if (hit && hit.durableExpiresAt - now > this.options.ttlMs) return toBinding(sessionId, hit, hit.redisExpiresAt ?? now + this.options.ttlMs);
    // a miss, or the durable row needs extending: ask PostgreSQL (it slides the row's expiry too)
    const rows = await core.lookupSession(this.db, { sessionId, ttlMs: this.durableTtlMs() });
    const row = rows[0];
    if (!row) {
      if (hit) await this.forget(sessionId, hit.agentId); // PostgreSQL is the source of truth
      return null;
    }
    const cached = fromRow(row);
    await this.cache(sessionId, cached, this.options.ttlMs, hit === undefined);
    return toBinding(sessionId, cached, now + this.options.ttlMs);
  }

  async listByAgent(agentId: string): Promise<SessionBinding[]> {
    const fromRedis = await this.redis.run(
      async (r) => {
        const indexKey = this.keys.agentSessions(agentId);
        const members = await r.smembers(indexKey);
        if (!members.includes(COMPLETE)) return undefined;
        const ids = members.filter((m) => m !== COMPLETE);
        const peeks = await Promise.all(ids.map((id) => PEEK.run(r, [this.keys.session(id)], []) as Promise<[string, number] | null>));
        const found: SessionBinding[] = [];
        const missing: string[] = [];
        peeks.forEach((peek, i) => {
          const id = ids[i]!;
          if (!peek) missing.push(id);
          else {
            const cached = JSON.parse(peek[0]) as CachedBinding;
            if (cached.agentId === agentId) found.push(toBinding(id, cached, Date.now() + Number(peek[1])));
          }
        });
        return { found, missing };
      },
      () => undefined,
    );
    if (fromRedis && fromRedis.missing.length === 0) return sortBindings(fromRedis.found);
    const rows = await core.listAgentSessions(this.db, { agentId });
    if (!fromRedis) {
      // no complete index in Redis (flushed, expired, or memory mode): PostgreSQL, then rebuild it
      await this.redis.run(
        (r) => INDEX_ADD.run(r, [this.keys.agentSessions(agentId)], [this.indexTtlMs(), COMPLETE, ...rows.map((row) => row.session_id)]),
        () => undefined,
      );
      return sortBindings(rows.map((row) => this.bindingFromRow(row)));
    }
    // ids whose key is gone: expired (drop from the index) or lost by Redis but live in PostgreSQL
    const live = new Map(rows.map((row) => [row.session_id, row]));
    const dead = fromRedis.missing.filter((id) => !live.has(id));
    if (dead.length) await this.redis.run((r) => r.srem(this.keys.agentSessions(agentId), ...dead), () => 0);
    const recovered = fromRedis.missing.flatMap((id) => (live.has(id) ? [this.bindingFromRow(live.get(id)!)] : []));
    return sortBindings([...fromRedis.found, ...recovered]);
  }

  async unbind(sessionId: string): Promise<boolean> {
    const rows = await core.unbindSession(this.db, { sessionId });
    const agentId = rows[0]?.agent_id ?? null;
    await this.forget(sessionId, agentId);
    return rows.length > 0;
  }

  /** Drops a binding from the cache (both stores); used by unbind and the cleanup job. */
  async forget(sessionId: string, agentId: string | null): Promise<void> {
    this.memory.delete(sessionId);
    await this.redis.run(
      async (r) => {
        await r.del(this.keys.session(sessionId));
        if (agentId) await r.srem(this.keys.agentSessions(agentId), sessionId);
      },
      () => this.queueWriteBack(sessionId, { kind: 'unbind', agentId }),
    );
  }

  /** Removes ids of expired bindings from an agent's index (keys that are still alive stay). */
  async pruneIndex(agentId: string, sessionIds: string[]): Promise<void> {
    await this.redis.run(
      async (r) => {
        const alive = await Promise.all(sessionIds.map((id) => r.exists(this.keys.session(id))));
        const dead = sessionIds.filter((_, i) => alive[i] === 0);
        if (dead.length) await r.srem(this.keys.agentSessions(agentId), ...dead);
      },
      () => sessionIds.forEach((id) => this.memory.delete(id)),
    );
  }

  private async cache(sessionId: string, cached: CachedBinding, ttlMs: number, addToIndex: boolean): Promise<void> {
    await this.redis.run(
      async (r) => {
        await r.set(this.keys.session(sessionId), JSON.stringify({ ...cached, redisExpiresAt: Date.now() + ttlMs }), 'PX', ttlMs);
        if (addToIndex) await INDEX_ADD.run(r, [this.keys.agentSessions(cached.agentId)], [this.indexTtlMs(), sessionId]);
      },
      () => this.memory.set(sessionId, { ...cached, checkedAt: Date.now() }, ttlMs),
    );
  }

  /** The binding read by a lookup; once `durableSlackMs` of its TTL is used, slid (compare-and-set). */
  private slideIfDue(r: RedisLike, key: string, sessionId: string, json: string, now: number): CachedBinding | Promise<CachedBinding> {
    const cached = this.decode(sessionId, json);
    if ((cached.redisExpiresAt ?? 0) - now >= this.options.ttlMs - this.options.durableSlackMs) return cached;
    const slid: CachedBinding = { ...cached, redisExpiresAt: now + this.options.ttlMs };
    return SLIDE.run(r, [key], [json, JSON.stringify(slid), this.options.ttlMs]).then((done) => (done ? slid : cached));
  }

  private decode(sessionId: string, json: string): CachedBinding {
    const memo = this.decoded.get(sessionId);
    if (memo?.json === json) return memo.cached;
    const cached = JSON.parse(json) as CachedBinding;
    this.decoded.delete(sessionId);
    this.decoded.set(sessionId, { json, cached });
    if (this.decoded.size > this.options.memoryMaxEntries) this.decoded.delete(this.decoded.keys().next().value as string);
    return cached;
  }

  private bindingFromRow(row: CoreBindSessionRow): SessionBinding {
    const remembered = this.memory.ttlMs(row.session_id);
    const expiresAt = remembered > 0 ? Date.now() + remembered : row.expires_at.getTime();
    return toBinding(row.session_id, fromRow(row), expiresAt);
  }

  private queueWriteBack(sessionId: string, entry: { kind: 'bind' } | { kind: 'unbind'; agentId: string | null }): void {
    this.writeBack.delete(sessionId);
    this.writeBack.set(sessionId, entry);
    if (this.writeBack.size > this.options.memoryMaxEntries) {
      this.writeBack.delete(this.writeBack.keys().next().value as string);
      this.writeBackOverflow++;
    }
  }

  /** Recovery hook: writes what was done in memory mode to Redis; runs before Redis serves again. */
  private async flushWriteBack(): Promise<void> {
    const r: RedisLike = this.redis.client;
    while (this.writeBack.size) {
      const [sessionId, entry] = this.writeBack.entries().next().value as [string, { kind: 'bind' } | { kind: 'unbind'; agentId: string | null }];
      if (entry.kind === 'unbind') {
        await r.del(this.keys.session(sessionId));
        if (entry.agentId) await r.srem(this.keys.agentSessions(entry.agentId), sessionId);
      } else {
        const ttl = this.memory.ttlMs(sessionId);
        const cached = this.memory.get(sessionId);
        // evicted or expired meanwhile: PostgreSQL has it (or it is over), a miss will re-warm it
        if (cached && ttl > 0) {
          const { checkedAt: _checked, ...stored } = cached;
          await r.set(this.keys.session(sessionId), JSON.stringify({ ...stored, redisExpiresAt: Date.now() + ttl }), 'PX', ttl);
          await INDEX_ADD.run(r, [this.keys.agentSessions(cached.agentId)], [this.indexTtlMs(), sessionId]);
        }
      }
      if (this.writeBack.get(sessionId) === entry) this.writeBack.delete(sessionId);
    }
    // bindings read in memory mode may be stale once other servers write to Redis again
    this.memory.clear();
  }

  private durableTtlMs(): number {
    return this.options.ttlMs + this.options.durableSlackMs;
  }

  private indexTtlMs(): number {
    return this.options.ttlMs + this.options.durableSlackMs;
  }
}

function fromRow(row: CoreBindSessionRow): CachedBinding {
  if (!row.session_id || !row.agent_id || !row.created_at || !row.expires_at) {
    throw new GovdbError('INTERNAL', `core.sessions returned an incomplete row for session ${JSON.stringify(row.session_id)}`);
  }
  return {
    agentId: row.agent_id,
    client: row.client_type,
    metadata: (row.metadata ?? {}) as Record<string, unknown>,
    boundAt: row.created_at.getTime(),
    durableExpiresAt: row.expires_at.getTime(),
  };
}

function toBinding(sessionId: string, cached: CachedBinding, expiresAt: number): SessionBinding {
  return { sessionId, agentId: cached.agentId, client: cached.client, metadata: cached.metadata, boundAt: new Date(cached.boundAt), expiresAt: new Date(expiresAt) };
}

function sortBindings(bindings: SessionBinding[]): SessionBinding[] {
  return bindings.sort((a, b) => b.boundAt.getTime() - a.boundAt.getTime() || a.sessionId.localeCompare(b.sessionId));
}
