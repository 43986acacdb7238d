import { GovdbError } from '../errors';
import { RedisKeys } from './keys';
import { LruTtlMap } from './lruTtlMap';
import { LuaScript } from './luaScript';
import { RedisAvailability } from './redisAvailability';

/** Loads an agent's metadata from the source of truth (the domain layer); null when unknown. */
export type AgentMetadataLoader<T> = (agentId: string) => Promise<T | null>;

export interface MetadataCache<T> {
  /** Cached metadata, loading it on a miss; null for an unknown agent (never cached). */
  get(agentId: string): Promise<T | null>;
  /** Call after every write that changes the agent's metadata; every server sees it at once. */
  invalidateAgent(agentId: string): Promise<void>;
}

export interface MetadataCacheOptions {
  ttlMs: number;
  memoryTtlMs: number;
  memoryMaxEntries: number;
}

const READ = new LuaScript(`return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2])}`, 2);
/** Stores the loaded value only if no invalidation happened since the version was read. */
const STORE_IF_VERSION = new LuaScript(
  `if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[1] then return 0 end
   redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
   return 1`, 2);
const INVALIDATE = new LuaScript(
  `redis.call('INCR', KEYS[2])
   redis.call('PEXPIRE', KEYS[2], ARGV[1])
   redis.call('DEL', KEYS[1])
   return 1`, 2);

/**
 * Read-through cache of agent metadata, shared by every server through Redis: `agentmeta:{agent}`
 * (JSON, TTL) next to a version counter `agentmeta:{agent}:version`. invalidateAgent bumps the
 * version and deletes the value in one script; a reader stores what it loaded only if the version
 * is still the one it saw before loading, so a slow reader cannot put back a value that a writer on
 * another server has just invalidated. Values must be JSON data.
 *
 * In memory mode each process caches for `memoryTtlMs` only (other servers' invalidations cannot
 * reach it); invalidations made meanwhile are replayed into Redis before it serves again.
 */
export class CachedMetadata<T> implements MetadataCache<T> {
  private readonly memory: LruTtlMap<T>;
  private readonly pendingInvalidations = new Set<string>();

  constructor(
    private readonly redis: RedisAvailability,
    private readonly keys: RedisKeys,
    private readonly load: AgentMetadataLoader<T>,
    private readonly options: MetadataCacheOptions,
  ) {
    this.memory = new LruTtlMap(options.memoryMaxEntries);
    redis.onRecovery(() => this.replayInvalidations());
  }

  async get(agentId: string): Promise<T | null> {
    const valueKey = this.keys.agentMetadata(agentId);
    const versionKey = this.keys.agentMetadataVersion(agentId);
    const cached = await this.redis.run<{ hit: true; value: T } | { hit: false; version: string | undefined }>(
      async (r) => {
        const [value, version] = (await READ.run(r, [valueKey, versionKey], [])) as [string | null, string | null];
        return value !== null ? { hit: true, value: JSON.parse(value) as T } : { hit: false, version: version ?? '0' };
      },
      () => {
        const value = this.memory.get(agentId);
        return value !== undefined ? { hit: true, value } : { hit: false, version: undefined };
      },
    );
    if (cached.hit) return cached.value;
    const value = await this.load(agentId);
    if (value === null) return null;
    const json = JSON.stringify(value);
    if (json === undefined) throw new GovdbError('INTERNAL', `Metadata of agent "${agentId}" is not JSON data`);
    if (cached.version === undefined) this.memory.set(agentId, value, this.options.memoryTtlMs);
    else {
      await this.redis.run(
        (r) => STORE_IF_VERSION.run(r, [valueKey, versionKey], [cached.version!, json, this.options.ttlMs]),
        () => this.memory.set(agentId, value, this.options.memoryTtlMs),
      );
    }
    return value;
  }

  async invalidateAgent(agentId: string): Promise<void> {
    this.memory.delete(agentId);
    await this.redis.run(
      (r) => INVALIDATE.run(r, [this.keys.agentMetadata(agentId), this.keys.agentMetadataVersion(agentId)], [this.versionTtlMs()]),
      () => this.queueInvalidation(agentId),
    );
  }

  private queueInvalidation(agentId: string): void {
    this.pendingInvalidations.add(agentId);
    // bounded: past the bound, drop the oldest (its Redis value still expires within ttlMs)
    if (this.pendingInvalidations.size > this.options.memoryMaxEntries) {
      this.pendingInvalidations.delete(this.pendingInvalidations.values().next().value as string);
    }
  }

  private async replayInvalidations(): Promise<void> {
    while (this.pendingInvalidations.size) {
      const agentId = this.pendingInvalidations.values().next().value as string;
      await INVALIDATE.run(this.redis.client, [this.keys.agentMetadata(agentId), this.keys.agentMetadataVersion(agentId)], [this.versionTtlMs()]);
      this.pendingInvalidations.delete(agentId);
    }
    this.memory.clear();
  }

  /** The version must outlive any value stored under an older one. */
  private versionTtlMs(): number {
    return this.options.ttlMs + 86_400_000;
  }
}
