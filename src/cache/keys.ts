/**
 * Redis key names. Every key that is used together with another one in a Lua script carries the
 * same hash tag (`{...}`), so the layer works unchanged on Redis Cluster. Ids are escaped so a `{` or
 * `}` inside an id cannot change which part of the key is the hash tag.
 */
function tag(id: string): string {
  // most ids have nothing to escape: one test instead of three replaces (a key is built per call)
  if (!NEEDS_ESCAPE.test(id)) return `{${id}}`;
  return `{${id.replace(/%/g, '%25').replace(/\{/g, '%7B').replace(/\}/g, '%7D')}}`;
}

const NEEDS_ESCAPE = /[%{}]/;

export class RedisKeys {
  /** prefix: namespace for every key (e.g. `govdb:`); empty in production by default. */
  constructor(readonly prefix = '') {}

  /** Hash with one binding; sliding TTL. */
  session(sessionId: string): string {
    return `${this.prefix}session:${tag(sessionId)}`;
  }

  /** Set of the session ids of one agent (+ the completeness marker). */
  agentSessions(agentId: string): string {
    return `${this.prefix}agent:${tag(agentId)}:sessions`;
  }

  /** Cached agent metadata (JSON) and its version counter: same hash tag. */
  agentMetadata(agentId: string): string {
    return `${this.prefix}agentmeta:${tag(agentId)}`;
  }

  agentMetadataVersion(agentId: string): string {
    return `${this.prefix}agentmeta:${tag(agentId)}:version`;
  }

  /** Pub/sub channel of metadata invalidations (message: the agent id); read by every server's in-process tier. */
  agentMetadataInvalidations(): string {
    return `${this.prefix}agentmeta:invalidations`;
  }

  /** GCRA state of one rule; all rules of one agent share the agent's hash tag. */
  rateLimit(agentId: string, operation: string, periodMs: number, limit: number): string {
    return `${this.prefix}ratelimit:${tag(agentId)}:${operation}:${limit}/${periodMs}ms`;
  }
}
