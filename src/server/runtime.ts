import { AuditLog, AuditMirror } from '../audit';
import { createCacheLayer, cacheConfigFromEnv, CacheLayer, RateLimitRules } from '../cache';
import { DEFAULT_RATE_LIMITS, ONBOARD_ADDRESS_OPERATION, ONBOARD_TOTAL_OPERATION } from '../cache/rateLimiter';
import { Config } from '../config';
import { createAgentService, Agent } from '../domain/agents';
import { failExpiredSessions } from '../domain/dialectic';
import { createEisvService } from '../domain/eisv';
import { createKnowledgeService } from '../domain/knowledge';
import { GovdbError } from '../errors';
import type { ServerDeps } from '../mcp/deps';
import path from 'path';
import { createIdempotencyRunner } from '../mcp/idempotency';
import { cleanupExpiredSessions } from '../cache/sessionCleanup';
import type { CachedSessionStore } from '../cache/sessionStore';
import { maintainPartitions } from '../audit/auditSql';
import { checkHealth } from './health';
import { ensureWritableDir } from './preflight';
import { Leader, LeaderJob } from './leader';
import { leaderCheck, registerLeaderMetrics, registerReplicaMetrics, replicaCheck, withChecks } from './scaleHealth';
import { readUrlsFromEnv, ReplicaMonitor } from '../db/replicas';
import { ReadRouter } from '../db/readRouting';
import { createMetrics } from './metrics';
import { DatabaseRuntime, startDatabase } from './startDatabase';
import { ToolUsageWriter } from './toolUsageWriter';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- package.json lies outside rootDir, so it cannot be imported
const VERSION: string = require('../../package.json').version;

export interface Runtime {
  deps: ServerDeps;
  database: DatabaseRuntime;
  cache: CacheLayer<Agent>;
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
  /** environment for the cache settings (REDIS_*); default process.env */
  env?: NodeJS.ProcessEnv;
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

/** Builds every dependency of the server from the validated configuration. */
export async function startRuntime(config: Config, options: RuntimeOptions): Promise<Runtime> {
  const startedAt = Date.now();
  const readUrls = readUrlsFromEnv((options.env ?? process.env).DB_POSTGRES_READ_URL); // refused before anything starts
  const database = await startDatabase(config, { migrate: options.migrate, log: options.log });
  const { pool } = database;
  const cacheConfig = cacheConfigFromEnv(options.env ?? process.env);
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
  const invalidate = (agentId: string) => cache.metadata.invalidateAgent(agentId);
  // read replicas (DB_POSTGRES_READ_URL): monitored for /health and /metrics; read-only tool calls read
  // from one that has replayed the caller's last write (src/db/readRouting.ts)
  const env = options.env ?? process.env;
  const replicas = new ReplicaMonitor({ primary: pool, urls: readUrls, maxLagBytes: Number(env.DB_POSTGRES_READ_MAX_LAG_BYTES) || undefined });
  replicas.start();
  const router = replicas.state().length ? new ReadRouter({ primary: pool, replicas, marks: cache.commitMarks, waitMs: Number(env.DB_POSTGRES_READ_WAIT_MS) || undefined }) : undefined;
  const servicesDb = router ? router.queryable() : pool;
  // get_agent reads through the metadata cache (in-process tier, Redis, PostgreSQL); permission checks use agents.get
  const agents = createAgentService(servicesDb, { invalidate, cachedMetadata: cache.metadata });
  agentsForCache = agents;
  const eisv = createEisvService(servicesDb, { invalidate });
  const knowledge = createKnowledgeService(servicesDb);
  // safe retries: request_id calls run as one keyed transaction (src/mcp/idempotency.ts)
  const idempotency = createIdempotencyRunner({
    pool,
    servicesFor: (db, hooks) => ({ agents: createAgentService(db, hooks), eisv: createEisvService(db, hooks), knowledge: createKnowledgeService(db) }),
    invalidate,
    secret: (options.env ?? process.env).GOVDB_IDEMPOTENCY_SECRET || undefined,
  });

  let auditLog: AuditLog;
  try {
    await options.beforeAudit?.();
    ensureWritableDir(config.dataDir);
    ensureWritableDir(path.dirname(config.auditLogPath));
    auditLog = await AuditLog.open({ path: config.auditLogPath });
  } catch (err) {
    await cache.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw err;
  }
  const auditMirror = new AuditMirror(pool, { logPath: config.auditLogPath, writer: auditLog });
  auditMirror.start();
  const toolUsage = new ToolUsageWriter(pool);
  // background work runs on ONE server at a time: the holder of a PostgreSQL advisory lock (leader.ts)
  const jobs: LeaderJob[] = [
    // stalled dialectic sessions fail on time even when nobody calls a dialectic tool
    { name: 'dialectic_timeout_sweep', intervalMs: options.dialecticSweepMs ?? 60_000, run: (db) => failExpiredSessions(db) },
    // expired idempotency keys and API keys past their retry window are erased (docs/audit.md)
    { name: 'idempotency_sweep', intervalMs: 60_000, run: () => idempotency.sweep() },
    { name: 'session_cleanup', intervalMs: Number(env.GOVDB_SESSION_CLEANUP_MS) || 300_000, run: (db) => cleanupExpiredSessions(db, cache.sessions as CachedSessionStore) },
  ];
  // retention drops old partitions, so it runs only when a retention is configured
  if (env.GOVDB_AUDIT_KEEP) jobs.push({ name: 'audit_partition_maintenance', intervalMs: 3_600_000, run: (db) => maintainPartitions(db, env.GOVDB_AUDIT_KEEP!, 3) });
  const leader = new Leader({
    url: config.postgresDirectUrl ?? config.postgresUrl,
    pollMs: Number(env.GOVDB_LEADER_POLL_MS) || 2000,
    jobs,
    log: options.log,
    // the embedded store is one process with one backend session: no election
    alwaysLeaderPool: database.store === 'embedded' ? pool : undefined,
  });
  leader.start();

  const metrics = createMetrics({
    pool: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    cache: () => ({ mode: cache.health().mode }),
    audit: () => {
      const m = auditMirror.state();
      return { queueDepth: m.lagLines, lagLines: m.lagLines, mirroredTotal: m.rowsInserted };
    },
  }, { gcBeforeScrape: (options.env ?? process.env).GOVDB_DEBUG_GC === '1' });
  registerLeaderMetrics(metrics.registry, leader);
  registerReplicaMetrics(metrics.registry, replicas, router);
  const redisConfigured = Boolean(cacheConfig.redis.url || cacheConfig.redis.sentinels.length || cacheConfig.redis.clusterNodes.length);

  const deps: ServerDeps = {
    db: pool,
    services: { agents, eisv, knowledge },
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
    auditLog,
    auditMirror,
    toolUsage,
    async close() {
      await leader.stop();
      await replicas.stop();
      await toolUsage.close().catch(() => undefined);
      await auditLog.flush().catch(() => undefined);
      await auditMirror.caughtUp(5000).catch(() => undefined);
      await auditMirror.stop().catch(() => undefined);
      await auditLog.close().catch(() => undefined);
      await cache.close().catch(() => undefined);
      await database.close();
    },
  };
}
