import type { HealthReport, ServerMetrics } from './observability';
import type { AgentService } from '../domain/agents';
import type { AuditQueryService } from '../domain/auditQueries';
import type { CalibrationService } from '../domain/calibration';
import type { DashboardService } from '../domain/dashboard';
import type { DialecticService } from '../domain/dialectic';
import type { EisvService } from '../domain/eisv';
import type { GraphQueryService } from '../domain/graphQuery';
import type { KnowledgeService } from '../domain/knowledge';
import type { IdempotencyRunner } from './idempotency';
import type { AuditSink, SessionBindings, ToolRateLimiter, ToolUsageSink } from './ports';

/**
 * The domain services transports delegate to, each `createXService(db, options?)` over a pool or a
 * transaction (src/domain). Every database access of a tool handler or a dashboard route goes
 * through one of them.
 */
export interface DomainServices {
  agents: AgentService;
  eisv: EisvService;
  knowledge: KnowledgeService;
  dialectic: DialecticService;
  calibration: CalibrationService;
  auditQueries: AuditQueryService;
  graph: GraphQueryService;
  dashboard: DashboardService;
}

/** Everything a tool handler may use. Built once per process by src/server/runtime.ts. */
export interface ServerDeps {
  services: DomainServices;
  sessions: SessionBindings;
  /** resolves an API key to its agent id or throws UNAUTHENTICATED */
  authenticate(apiKey: string): Promise<string>;
  rateLimiter: ToolRateLimiter;
  audit: AuditSink;
  toolUsage: ToolUsageSink;
  metrics?: ServerMetrics;
  adminToken?: string;
  /** GOVDB_ONBOARD_TOKEN: when set, onboarding a new (non-spawned) agent needs it */
  onboardToken?: string;
  /** 'stdio' or 'http', stored with session bindings */
  clientName: string;
  health(): Promise<HealthReport>;
  /** runs calls that carry request_id as one keyed transaction (src/mcp/idempotency.ts); absent: request_id is refused */
  idempotency?: IdempotencyRunner;
  /** read replicas configured: runs a tool call so its reads may go to a replica that has its caller's writes (src/db/readRouting.ts) */
  readRouting?: { run<T>(readOnly: boolean, caller: () => string, fn: () => Promise<T>): Promise<T> };
}
