import { RedisKeys } from './keys';
import { LuaScript } from './luaScript';
import { RedisAvailability } from './redisAvailability';

/** KEYS: mark. ARGV: position (WAL bytes), ttl ms. Keeps the highest position (WAL only grows). */
const RAISE = new LuaScript(
  `local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
   if tonumber(ARGV[1]) > cur then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
   else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
   return 1`, 1);

/**
 * Per caller (agent or session), the primary's WAL position right after its last write, shared by
 * every server in Redis (`commitmark:{caller}`), so a read on any server can wait for a replica that
 * has replayed it. `undefined` from `get` means "not known" (Redis in memory mode): the caller must
 * read from the primary, never guess.
 */
export class CommitMarks {
  constructor(private readonly redis: RedisAvailability, private readonly keys: RedisKeys, private readonly ttlMs: number) {}

  private key(caller: string): string {
    return `${this.keys.prefix}commitmark:{${caller.replace(/[{}%]/g, (c) => encodeURIComponent(c))}}`;
  }

  /** Records WAL position `position` (bytes since 0/0) for `caller`; never lowers it. */
  async raise(caller: string, position: bigint): Promise<void> {
    await this.redis.run((r) => RAISE.run(r, [this.key(caller)], [position.toString(), this.ttlMs]), () => undefined);
  }

  /** The caller's last write position; 0n when it wrote nothing recently; undefined when unknown. */
  async get(caller: string): Promise<bigint | undefined> {
    return this.redis.run(
      async (r) => {
        const v = await r.get(this.key(caller));
        return v === null ? 0n : BigInt(v);
      },
      () => undefined,
    );
  }
}
