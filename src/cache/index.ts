/** The Redis layer: sessions, metadata cache, rate limits, with an in-process fallback. */
export { defaultCacheConfig } from './cacheConfig';
export type { CacheConfig, RedisConnectionConfig } from './cacheConfig';
export { createCacheLayer } from './cacheLayer';
export type { CacheLayer, CacheLayerDeps } from './cacheLayer';
export type { CacheHealth, CacheMode } from './redisAvailability';
export type { SessionStore, SessionBinding, BindSessionInput } from './sessionStore';
export type { MetadataCache, AgentMetadataLoader } from './metadataCache';
export { DEFAULT_RATE_LIMITS } from './rateLimiter';
export type { RateLimiter, RateLimitDecision, RateLimitRules, RateRule } from './rateLimiter';
export { SESSION_CLEANUP_LOCK, cleanupExpiredSessions } from './sessionCleanup';
