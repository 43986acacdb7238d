import type { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * What the transports (MCP tools, HTTP) report health and metrics through. The server's wiring
 * implements both (src/server/health.ts, src/server/metrics.ts); the types live here so that no
 * transport imports from src/server.
 */

export type CheckStatus = 'healthy' | 'warning' | 'deprecated' | 'unavailable' | 'error';

export interface CheckResult {
  status: CheckStatus;
  message: string;
  [detail: string]: unknown;
}

/** The answer of GET /health and of the health_check tool. */
export interface HealthReport {
  status: 'healthy' | 'moderate' | 'critical';
  status_breakdown: Record<CheckStatus, number>;
  checks: Record<string, CheckResult>;
  schema_version: number | null;
  store: 'postgres' | 'embedded';
  version: string;
  /** seconds since the process started */
  uptime: number;
}

/**
 * Prometheus metrics of one server process; a registry per instance, no global state (naming in
 * src/server/metrics.ts).
 */
export interface ServerMetrics {
  registry: Registry;
  toolCalls: Counter<'tool' | 'outcome'>;
  toolLatency: Histogram<'tool'>;
  rateLimitRejections: Counter<'operation'>;
  /** live MCP sessions over Streamable HTTP */
  mcpSessions: Gauge;
  mcpSessionsOpened: Counter;
  /** sessions ended, by reason: deleted (client DELETE), expired (idle), shutdown */
  mcpSessionsClosed: Counter<'reason'>;
  /** initialize requests refused, by reason: server_cap, client_cap, initialize_rate */
  mcpSessionRejections: Counter<'reason'>;
}
