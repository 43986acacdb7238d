/**
 * A bounded in-process map with a TTL per entry and least-recently-used eviction: the fallback
 * store of the cache layer. It never holds more than `maxEntries` entries, so an outage of Redis
 * cannot turn into unbounded memory growth.
 */
export class LruTtlMap<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer (got ${maxEntries})`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The live value, marked as recently used; undefined when absent or expired. */
  get(key: string, now = Date.now()): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Milliseconds the entry has left, or 0 when it is absent or expired. */
  ttlMs(key: string, now = Date.now()): number {
    const entry = this.entries.get(key);
    return entry && entry.expiresAt > now ? entry.expiresAt - now : 0;
  }

  set(key: string, value: V, ttlMs: number, now = Date.now()): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: now + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  /** Live entries, least recently used first (expired ones are dropped on the way). */
  *liveEntries(now = Date.now()): IterableIterator<[string, V, number]> {
    for (const [key, entry] of [...this.entries]) {
      if (entry.expiresAt <= now) this.entries.delete(key);
      else yield [key, entry.value, entry.expiresAt - now];
    }
  }
}
