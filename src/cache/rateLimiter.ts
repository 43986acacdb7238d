import { GovdbError } from '../errors';
import { RedisKeys } from './keys';
import { LruTtlMap } from './lruTtlMap';
import { LuaScript } from './luaScript';
import { RedisAvailability } from './redisAvailability';

/** `limit` operations per `periodMs`, bursts of up to `limit` allowed. */
export interface RateRule {
  limit: number;
  periodMs: number;
}

/** Rules per operation name; an operation with several rules must satisfy all of them. */
export type RateLimitRules = Record<string, RateRule[]>;

/** Rate-limited operations of onboarding (rules from the configuration, src/server/runtime.ts). */
export const ONBOARD_ADDRESS_OPERATION = 'onboard_address';
export const ONBOARD_TOTAL_OPERATION = 'onboard_total';

/** Defaults of the original system. */
export const DEFAULT_RATE_LIMITS: RateLimitRules = {
  knowledge_store: [{ limit: 20, periodMs: 3_600_000 }],
  tool_call: [
    { limit: 60, periodMs: 60_000 },
    { limit: 1000, periodMs: 3_600_000 },
  ],
};

/** Enough for the standard RateLimit-* and Retry-After headers. */
export interface RateLimitDecision {
  allowed: boolean;
  /** The limit of the most constraining rule. */
  limit: number;
  /** Operations still allowed right now under every rule. */
  remaining: number;
  /** 0 when allowed; otherwise when a retry can succeed. */
  retryAfterMs: number;
  /** When the most constraining rule is fully replenished. */
  resetMs: number;
}

export interface RateLimiter {
  /** Counts `cost` operations of `agentId`; refused operations are not counted. */
  consume(agentId: string, operation: string, cost?: number): Promise<RateLimitDecision>;
}

/**
 * GCRA over every rule of the operation in one script, using the server clock (TIME), so
 * concurrent servers agree. KEYS: one per rule (same hash tag: the agent). ARGV: cost, then limit
 * and period (ms) per rule. Times in microseconds. Returns allowed, remaining, retry µs, limit, reset µs,
 * then the state (TAT, µs since the epoch of the Redis clock) of each rule's key.
 */
const GCRA = new LuaScript(
  `local t = redis.call('TIME')
   local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
   local cost = tonumber(ARGV[1])
   local allowed = 1
   local retry = 0
   local rules = {}
   for i = 1, #KEYS do
     local limit = tonumber(ARGV[2 * i])
     local period = tonumber(ARGV[2 * i + 1]) * 1000
     local interval = period / limit
     local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
     if tat < now then tat = now end
     local newTat = tat + cost * interval
     local allowAt = newTat - period
     if allowAt > now then
       allowed = 0
       if allowAt - now > retry then retry = allowAt - now end
     end
     rules[i] = {tat, newTat, interval, period, limit}
   end
   local remaining, limitOut, reset = nil, 0, 0
   for i = 1, #KEYS do
     local r = rules[i]
     local tat = r[1]
     if allowed == 1 then
       tat = r[2]
       redis.call('SET', KEYS[i], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1)
     end
     local left = math.floor((r[4] - (tat - now)) / r[3] + 1e-9)
     if left < 0 then left = 0 end
     if remaining == nil or left < remaining then
       remaining, limitOut, reset = left, r[5], tat - now
     end
   end
   local out = {allowed, remaining, string.format('%.0f', math.ceil(retry)), limitOut, string.format('%.0f', math.ceil(reset))}
   for i = 1, #KEYS do
     local r = rules[i]
     local tat = r[1]
     if allowed == 1 then tat = r[2] end
     out[5 + i] = string.format('%.0f', tat)
   end
   return out`,
  'variable',
);

/** KEYS[1]: one rule's state; ARGV: tat (µs), ttl ms. Keeps the later of the two. */
const MERGE = new LuaScript(
  `local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
   if tonumber(ARGV[1]) > cur then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
   return 1`, 1);

/**
 * Rate limits per agent and operation (docs/redis.md, "Rate limits never fail open").
 *
 * - Redis mode: one GCRA script per call; the resulting state of every key is also remembered in
 *   this process (`known`).
 * - Redis lost: the same GCRA runs in memory, but a key this process has no memory state for starts
 *   SPENT (its state is "now + period": the whole current window counts as used), and then refills
 *   at the rule's steady rate (limit / period). So during an outage an agent gets at most the steady
 *   refill per process, never a fresh burst: a process cannot know what other processes, or Redis
 *   before the outage, counted.
 * - Redis back (also restarted empty): each key gets the later of its Redis state and this
 *   process's state (memory during the outage, and `known` from before it), so neither the outage nor
 *   an empty restart hands out a new budget for any key a server has seen within its period.
 * - No Redis configured at all (`memoryIsPrimary`): memory is the store and keys start fresh.
 */
export class GcraRateLimiter implements RateLimiter {
  private readonly memory: LruTtlMap<number>;
  private readonly known: LruTtlMap<number>;

  constructor(
    private readonly redis: RedisAvailability,
    private readonly keys: RedisKeys,
    private readonly rules: RateLimitRules,
    memoryMaxEntries: number,
  ) {
    for (const [operation, list] of Object.entries(rules)) {
      if (!list.length || list.some((r) => !Number.isInteger(r.limit) || r.limit < 1 || !(r.periodMs > 0))) {
        throw new GovdbError('CONFIG_INVALID', `Rate limit rules of "${operation}" must be a non-empty list of {limit >= 1, periodMs > 0}`);
      }
    }
    this.memory = new LruTtlMap(memoryMaxEntries);
    this.known = new LruTtlMap(memoryMaxEntries);
    redis.onRecovery(() => this.mergeIntoRedis());
  }

  async consume(agentId: string, operation: string, cost = 1): Promise<RateLimitDecision> {
    const rules = this.rules[operation];
    if (!rules) throw new GovdbError('INVALID_INPUT', `No rate limit rules for operation "${operation}"; known: ${Object.keys(this.rules).join(', ')}`);
    if (!Number.isInteger(cost) || cost < 1) throw new GovdbError('INVALID_INPUT', `Rate limit cost must be a positive integer (got ${cost})`);
    const keys = rules.map((rule) => this.keys.rateLimit(agentId, operation, rule.periodMs, rule.limit));
    return this.redis.run(
      async (r) => {
        const args = [cost, ...rules.flatMap((rule) => [rule.limit, rule.periodMs])];
        const reply = (await GCRA.run(r, keys, args)) as [number, number, string, number, string, ...string[]];
        const nowMs = Date.now();
        keys.forEach((key, i) => {
          const tat = Number(reply[5 + i]);
          // kept for the rule's period: long enough to restore the key into an emptied Redis
          if (Number.isFinite(tat)) this.known.set(key, tat, rules[i]!.periodMs + 1000, nowMs);
        });
        return decision(reply[0] === 1, reply[3], reply[1], Number(reply[2]), Number(reply[4]));
      },
      () => this.consumeInMemory(keys, rules, cost),
    );
  }

  private consumeInMemory(keys: string[], rules: RateRule[], cost: number): RateLimitDecision {
    const now = Date.now() * 1000;
    let allowed = true;
    let retry = 0;
    const states = rules.map((rule, i) => {
      const period = rule.periodMs * 1000;
      const interval = period / rule.limit;
      // a key without memory state starts spent (whole window used) unless memory is the primary store
      const initial = this.redis.memoryIsPrimary ? 0 : now + period;
      const stored = this.memory.get(keys[i]!);
      // the spent start is remembered even when this call is refused, so recovery writes it back
      if (stored === undefined && initial > now) this.memory.set(keys[i]!, initial, rule.periodMs + 1000);
      const tat = Math.max(stored ?? initial, now);
      const newTat = tat + cost * interval;
      if (newTat - period > now) {
        allowed = false;
        retry = Math.max(retry, newTat - period - now);
      }
      return { tat, newTat, interval, period, limit: rule.limit };
    });
    let best: { remaining: number; limit: number; reset: number } | undefined;
    states.forEach((s, i) => {
      const tat = allowed ? s.newTat : s.tat;
      if (allowed) this.memory.set(keys[i]!, tat, Math.ceil((tat - now) / 1000) + 1);
      const remaining = Math.max(0, Math.floor((s.period - (tat - now)) / s.interval + 1e-9));
      if (!best || remaining < best.remaining) best = { remaining, limit: s.limit, reset: tat - now };
    });
    return decision(allowed, best!.limit, best!.remaining, Math.ceil(retry), Math.ceil(best!.reset));
  }

  private async mergeIntoRedis(): Promise<void> {
    const states = new Map<string, [number, number]>();
    for (const [key, tat, ttlMs] of [...this.known.liveEntries(), ...this.memory.liveEntries()]) {
      const prev = states.get(key);
      if (!prev || tat > prev[0]) states.set(key, [tat, ttlMs]);
    }
    const nowUs = Date.now() * 1000;
    for (const [key, [tat]] of states) {
      if (tat <= nowUs) continue; // fully replenished: nothing to restore
      await MERGE.run(this.redis.client, [key], [tat.toFixed(0), Math.ceil((tat - nowUs) / 1000) + 1]);
    }
    this.memory.clear();
  }
}

function decision(allowed: boolean, limit: number, remaining: number, retryUs: number, resetUs: number): RateLimitDecision {
  return { allowed, limit, remaining, retryAfterMs: allowed ? 0 : Math.ceil(retryUs / 1000), resetMs: Math.ceil(resetUs / 1000) };
}
