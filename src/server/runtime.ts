import { AuditLog, AuditMirror, AuditTrail, startAuditTrail, ToolUsageWriter } from '../audit';
import { createCacheLayer, CacheLayer, RateLimitRules } from '../cache';
import { DEFAULT_RATE_LIMITS, ONBOARD_ADDRESS_OPERATION, ONBOARD_TOTAL_OPERATION } from '../cache/rateLimiter';
import { Config } from '../config';
import { createAgentService, Agent } from '../domain/agents';
import { createAuditQueryService } from '../domain/auditQueries';
import { createCalibrationService } from '../domain/calibration';
import { createDashboardService } from '../domain/dashboard';
import { createDialecticService } from '../domain/dialectic';
import { createEisvService } from '../domain/eisv';
import { createGraphQueryService } from '../domain/graphQuery';
import { createKnowledgeService } from '../domain/knowledge';
import { Listen, listenerOf } from '../db/notifications';
import type { TransactionTarget } from '../db/pool';
import { GovdbError } from '../errors';
import type { ServerDeps } from '../mcp/deps';
import path from 'path';
import { createIdempotencyRunner } from '../mcp/idempotency';
import { cleanupExpiredSessions } from '../cache/sessionCleanup';
import type { CachedSessionStore } from '../cache/sessionStore';
import { maintainPartitions } from '../audit/auditDb';
import { checkHealth } from './health';
import { ensureWritableDir } from './preflight';
import { Leader, LeaderJob } from './leader';
import { leaderCheck, registerLeaderMetrics, registerReplicaMetrics, replicaCheck, withChecks } from './scaleHealth';
import { ReplicaMonitor } from '../db/replicas';
import { ReadRouter } from '../db/readRouting';
import { createMetrics } from './metrics';
import { DatabaseRuntime, startDatabase } from './startDatabase';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- package.json lies outside rootDir (src): an import would pull it into the compiled tree
const VERSION: string = require('../../package.json').version;

export interface Runtime {
  deps: ServerDeps;
  database: DatabaseRuntime;
  cache: CacheLayer<Agent>;
  /** the audit trail as startAuditTrail (src/audit/index.ts) builds it; auditLog and auditMirror are its parts */
  audit: AuditTrail;
  auditLog: AuditLog;
  auditMirror: AuditMirror;
  toolUsage: ToolUsageWriter;
  /** stop accepting is the transport's job; this flushes the audit trail and closes every pool */
  close(): Promise<void>;
}

export interface RuntimeOptions {
  migrate?: boolean;
  clientName: 'stdio' | 'http';
  log: (line: string) => void;
  /** how often stalled dialectic sessions are failed (default 60 s) */
  dialecticSweepMs?: number;
  /** rate limits per operation; default DEFAULT_RATE_LIMITS (src/cache/rateLimiter.ts) */
  rateLimits?: RateLimitRules;
  /**
   * Runs after the database checks and before the data directory check and the audit-log lock:
   * `govdb serve` binds its port here, so a taken port is reported as such.
   */
  beforeAudit?: () => Promise<void>;
}

/** Onboarding limits (docs/lifecycle.md): per client address and over all clients, per hour. */
export function onboardRateLimits(config: Pick<Config, 'onboardPerAddressPerHour' | 'onboardTotalPerHour'>): RateLimitRules {
  return {
    [ONBOARD_ADDRESS_OPERATION]: [{ limit: config.onboardPerAddressPerHour, periodMs: 3_600_000 }],
    [ONBOARD_TOTAL_OPERATION]: [{ limit: config.onboardTotalPerHour, periodMs: 3_600_000 }],
  };
}

/**
 * Wraps the metadata cache's invalidation for the domain services, which call it after a committed
 * change of an agent. The wrapper never rejects: the change is committed, so a cache that cannot be
 * told must not turn it into an error (it did: UNAVAILABLE for a committed update). The stale copy is
 * bounded by the metadata TTL (`ttlMs`), and a reader never stores a value older than the version it
 * saw (src/cache/metadataCache.ts); the failure is logged and counted (`failures()`, exported as
 * govdb_cache_invalidation_failures_total).
 */
export function afterCommitInvalidation(invalidateAgent: (agentId: string) => Promise<void>, ttlMs: number, log: (line: string) => void): { invalidate(agentId: string): Promise<void>; failures(): number } {
  let failures = 0;
  return {
    async invalidate(agentId) {
      try {
        await invalidateAgent(agentId);
      } catch (err) {
        failures++;
        log(`govdb: invalidating the cached metadata of agent ${agentId} failed; the cached copy expires within ${Math.round(ttlMs / 1000)} s: ${(err as Error).message}`);
      }
    },
    failures: () => failures,
  };
}

/**
 * Builds every dependency of the server from the validated configuration (`loadConfig`,
 * src/config.ts: nothing here reads the environment).
 */
export async function startRuntime(config: Config, options: RuntimeOptions): Promise<Runtime> {
  const startedAt = Date.now();
  const database = await startDatabase(config, { migrate: options.migrate, log: options.log });
  const { pool } = database;
  const cacheConfig = config.cache;
  let agentsForCache: ReturnType<typeof createAgentService> | undefined;
  const cache = await createCacheLayer<Agent>(cacheConfig, {
    pool,
    rateLimits: { ...(options.rateLimits ?? DEFAULT_RATE_LIMITS), ...onboardRateLimits(config) },
    cleanupIntervalMs: 0, // the leader runs it (below)
    loadAgentMetadata: async (agentId) => {
      try {
        return await agentsForCache!.get(agentId);
      } catch (err) {
        if (err instanceof GovdbError && err.code === 'NOT_FOUND') return null;
        throw err;
      }
    },
  });
  const invalidation = afterCommitInvalidation((agentId) => cache.metadata.invalidateAgent(agentId), cacheConfig.metadataTtlMs, options.log);
  const { invalidate } = invalidation;
  // read replicas (DB_POSTGRES_READ_URL): monitored for /health and /metrics; read-only tool calls read
  // from one that has replayed the caller's last write (src/db/readRouting.ts)
  const replicas = new ReplicaMonitor({ primary: pool, urls: config.readReplicas.urls, maxLagBytes: config.readReplicas.maxLagBytes });
  replicas.start();
  const router = replicas.state().length ? new ReadRouter({ primary: pool, replicas, marks: cache.commitMarks, waitMs: config.readReplicas.waitMs }) : undefined;
  const servicesDb = router ? router.queryable() : pool;
  // get_agent reads through the metadata cache (in-process tier, Redis, PostgreSQL); permission checks use agents.get
  const agents = createAgentService(servicesDb, { invalidate, cachedMetadata: cache.metadata });
  agentsForCache = agents;
  const eisv = createEisvService(servicesDb, { invalidate });
  const knowledge = createKnowledgeService(servicesDb);
  // these read the primary, as their tools always did (calibration reads and graph queries are transactions)
  const primaryServices = (db: TransactionTarget, listen?: Listen) => ({
    dialectic: createDialecticService(db),
    calibration: createCalibrationService(db),
    auditQueries: createAuditQueryService(db),
    graph: createGraphQueryService(db),
    dashboard: createDashboardService(db, { listen }),
  });
  // safe retries: request_id calls run as one keyed transaction (src/mcp/idempotency.ts)
  const idempotency = createIdempotencyRunner({
    pool,
    servicesFor: (db, hooks) => ({ agents: createAgentService(db, hooks), eisv: createEisvService(db, hooks), knowledge: createKnowledgeService(db), ...primaryServices(db) }),
    invalidate,
    secret: config.idempotencySecret,
  });

  let audit: AuditTrail;
  try {
    await options.beforeAudit?.();
    ensureWritableDir(config.dataDir);
    ensureWritableDir(path.dirname(config.auditLogPath));
    // the same wiring the audit tests exercise: the log, and its mirror into audit.events
    audit = await startAuditTrail(pool, { path: config.auditLogPath });
  } catch (err) {
    await cache.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw err;
  }
  const { log: auditLog, mirror: auditMirror } = audit;
  const toolUsage = new ToolUsageWriter(pool);
  // background work runs on ONE server at a time: the holder of a PostgreSQL advisory lock (leader.ts)
  const jobs: LeaderJob[] = [
    // stalled dialectic sessions fail on time even when nobody calls a dialectic tool
    { name: 'dialectic_timeout_sweep', intervalMs: options.dialecticSweepMs ?? 60_000, run: (db) => createDialecticService(db).failExpiredSessions() },
    // expired idempotency keys and API keys past their retry window are erased (docs/audit.md)
    { name: 'idempotency_sweep', intervalMs: 60_000, run: () => idempotency.sweep() },
    { name: 'session_cleanup', intervalMs: config.leader.sessionCleanupMs, run: (db) => cleanupExpiredSessions(db, cache.sessions as CachedSessionStore) },
  ];
  // retention drops old partitions, so it runs only when a retention is configured
  const auditKeep = config.leader.auditKeep;
  if (auditKeep) jobs.push({ name: 'audit_partition_maintenance', intervalMs: 3_600_000, run: (db) => maintainPartitions(db, auditKeep, 3) });
  const leader = new Leader({
    url: config.postgresDirectUrl ?? config.postgresUrl,
    pollMs: config.leader.pollMs,
    jobs,
    log: options.log,
    // the embedded store is one process with one backend session: no election
    alwaysLeaderPool: database.store === 'embedded' ? pool : undefined,
  });
  leader.start();

  const metrics = createMetrics({
    pool: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    cache: () => ({ mode: cache.health().mode, invalidationFailures: invalidation.failures() }),
    audit: () => {
      const m = auditMirror.state();
      return { queueDepth: m.lagLines, lagLines: m.lagLines, mirroredTotal: m.rowsInserted };
    },
  }, { gcBeforeScrape: config.debugGc });
  registerLeaderMetrics(metrics.registry, leader);
  registerReplicaMetrics(metrics.registry, replicas, router);
  const redisConfigured = Boolean(cacheConfig.redis.url || cacheConfig.redis.sentinels.length || cacheConfig.redis.clusterNodes.length);

  const deps: ServerDeps = {
    // the dashboard's live channel LISTENs on a dedicated connection; the embedded store has one session and polls
    services: { agents, eisv, knowledge, ...primaryServices(pool, database.store === 'embedded' ? undefined : listenerOf(pool)) },
    sessions: {
      resolve: async (sessionId) => (await cache.sessions.lookup(sessionId))?.agentId ?? null,
      bind: async (sessionId, agentId, client) => {
        await cache.sessions.bind({ sessionId, agentId, client });
      },
      listSessions: async (agentId) => (await cache.sessions.listByAgent(agentId)).map((s) => s.sessionId),
      unbind: async (sessionId) => {
        await cache.sessions.unbind(sessionId);
      },
    },
    authenticate: async (apiKey) => (await agents.authenticate(apiKey)).agentId,
    rateLimiter: cache.rateLimits,
    audit: {
      record: async (event) => {
        // resolves once the line is fsynced (the reply waits for it); a refusal (e.g. a failed disk) is logged and fails the call
        await auditLog.append({ ...event, details: event.details }).catch((err: Error) => {
          options.log(`govdb: audit append failed: ${err.message}`);
          throw err;
        });
      },
    },
    toolUsage,
    metrics,
    adminToken: config.adminToken,
    onboardToken: config.onboardToken,
    clientName: options.clientName,
    idempotency,
    readRouting: router,
    health: async () =>
      withChecks(await checkHealth({
        db: pool,
        store: database.store,
        ledger: database.ledger,
        version: VERSION,
        startedAt,
        cache: () => {
          const h = cache.health();
          return { mode: h.mode, reason: h.reason, configured: redisConfigured };
        },
        audit: () => {
          const w = auditLog.state();
          const m = auditMirror.state();
          return {
            writable: !w.failed,
            queueDepth: m.lagLines,
            lagLines: m.lagLines,
            lagSeconds: m.lagSeconds,
            lastFlushAt: m.lastFlushAt,
            // the mirror keeps its last error after recovering: only a current failure streak counts
            lastError: w.failed ?? (m.consecutiveFailures > 0 ? m.lastError?.message ?? 'failing' : null),
          };
        },
      }), { leader: leaderCheck(leader), ...(replicas.state().length ? { replicas: replicaCheck(replicas, router) } : {}) }),
  };

  return {
    deps,
    database,
    cache,
    audit,
    auditLog,
    auditMirror,
    toolUsage,
    async close() {
      await leader.stop();
      await replicas.stop();
      await toolUsage.close().catch(() => undefined);
      // what is not mirrored within 5 s stays in the file and is sent after the next start
      await audit.close(5000).catch(() => undefined);
      await cache.close().catch(() => undefined);
      await database.close();
    },
  };
}
