import { createHash } from 'crypto';
import { RedisLike } from './redisClient';

/**
 * A Lua script run with EVALSHA, falling back to EVAL when the server does not know it yet (after
 * a restart or on a new cluster node). Scripts that touch several keys get keys that share a hash tag.
 */
export class LuaScript {
  readonly sha: string;

  /** keyCount: the number of keys, or 'variable' when each call decides. */
  constructor(readonly source: string, readonly keyCount: number | 'variable') {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisLike, keys: string[], args: Array<string | number>): Promise<unknown> {
    if (this.keyCount !== 'variable' && keys.length !== this.keyCount) throw new Error(`script expects ${this.keyCount} keys, got ${keys.length}`);
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!/NOSCRIPT/.test(String((err as Error).message))) throw err;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
