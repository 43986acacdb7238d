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
import { checkHealth } from './health';
import { ensureWritableDir } from './preflight';
import { createMetrics } from './metrics';
import { DatabaseRuntime, startDatabase } from './startDatabase';
import { ToolUsageWriter } from './toolUsageWriter';

// eslint-disable-next-line @typescript-eslint/no-require-imports
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
  const database = await startDatabase(config, { migrate: options.migrate, log: options.log });
  const { pool } = database;
  const cacheConfig = cacheConfigFromEnv(options.env ?? process.env);
  let agentsForCache: ReturnType<typeof createAgentService> | undefined;
  const cache = await createCacheLayer<Agent>(cacheConfig, {
    pool,
    rateLimits: { ...(options.rateLimits ?? DEFAULT_RATE_LIMITS), ...onboardRateLimits(config) },
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
  // get_agent reads through the metadata cache (in-process tier, Redis, PostgreSQL); permission checks use agents.get
  const agents = createAgentService(pool, { invalidate, cachedMetadata: cache.metadata });
  agentsForCache = agents;
  const eisv = createEisvService(pool, { invalidate });
  const knowledge = createKnowledgeService(pool);
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
  // stalled dialectic sessions fail on time even when nobody calls a dialectic tool; the function
  // locks each session row, so several servers running it at once is harmless
  const dialecticTimer = setInterval(() => {
    failExpiredSessions(pool).catch((err: Error) => options.log(`govdb: dialectic timeout sweep failed: ${err.message}`));
  }, options.dialecticSweepMs ?? 60_000);
  dialecticTimer.unref();
  // expired idempotency keys and API keys past their retry window are erased (docs/audit.md)
  const idempotencyTimer = setInterval(() => {
    idempotency.sweep().catch((err: Error) => options.log(`govdb: idempotency sweep failed: ${err.message}`));
  }, 60_000);
  idempotencyTimer.unref();

  const metrics = createMetrics({
    pool: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    cache: () => ({ mode: cache.health().mode }),
    audit: () => {
      const m = auditMirror.state();
      return { queueDepth: m.lagLines, lagLines: m.lagLines, mirroredTotal: m.rowsInserted };
    },
  }, { gcBeforeScrape: (options.env ?? process.env).GOVDB_DEBUG_GC === '1' });
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
    health: () =>
      checkHealth({
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
      }),
  };

  return {
    deps,
    database,
    cache,
    auditLog,
    auditMirror,
    toolUsage,
    async close() {
      clearInterval(dialecticTimer);
      clearInterval(idempotencyTimer);
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
