/** The Redis layer: sessions, metadata cache, locks, rate limits, with an in-process fallback. */
export { cacheConfigFromEnv, defaultCacheConfig } from './cacheConfig';
export type { CacheConfig, RedisConnectionConfig } from './cacheConfig';
export { createCacheLayer } from './cacheLayer';
export type { CacheLayer, CacheLayerDeps } from './cacheLayer';
export type { CacheHealth, CacheMode } from './redisAvailability';
export type { SessionStore, SessionBinding, BindSessionInput } from './sessionStore';
export type { MetadataCache, AgentMetadataLoader } from './metadataCache';
export type { LockService, Lease, AcquireOptions } from './lockService';
export { DEFAULT_RATE_LIMITS } from './rateLimiter';
export type { RateLimiter, RateLimitDecision, RateLimitRules, RateRule } from './rateLimiter';
export { advisoryXactLock, tryAdvisoryXactLock, withAdvisoryLock, withAdvisoryLockOrFail } from './pgAdvisoryLock';
export { SESSION_CLEANUP_LOCK, cleanupExpiredSessions } from './sessionCleanup';
