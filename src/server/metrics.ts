import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { statementRecoveries } from '../db/pool';
import type { ServerMetrics } from '../mcp/observability';

/** Where the scrape-time series read their values. */
export interface MetricSources {
  pool?: () => { total: number; idle: number; waiting: number };
  /** invalidationFailures: agent metadata invalidations that failed after a committed change (monotonic) */
  cache?: () => { mode: string; hits?: number; misses?: number; invalidationFailures?: number };
  audit?: () => { queueDepth?: number; lagLines?: number; mirroredTotal?: number };
}

/** A counter whose value is read from a monotonic source at scrape time. */
function sourcedCounter(registry: Registry, name: string, help: string, read: () => Record<string, number> | number | undefined, labelNames: string[] = []): void {
  const last = new Map<string, number>();
  new Counter({
    name, help, labelNames, registers: [registry],
    collect() {
      const v = read();
      if (v === undefined) return;
      const entries: [Record<string, string>, number][] = typeof v === 'number' ? [[{}, v]] : Object.entries(v).map(([k, n]) => [{ [labelNames[0]!]: k }, n]);
      for (const [labels, value] of entries) {
        const key = JSON.stringify(labels);
        const delta = value - (last.get(key) ?? 0);
        if (delta > 0) this.inc(labels, delta);
        last.set(key, value);
      }
    },
  });
}

export interface MetricOptions {
  /**
   * GOVDB_DEBUG_GC=1 with node --expose-gc: run a full collection before each scrape, so heap
   * figures show what is still referenced (for leak tests; costs a pause per scrape).
   */
  gcBeforeScrape?: boolean;
}

/**
 * Prometheus metrics of one server process (the ServerMetrics of src/mcp/observability.ts); a
 * registry per instance, no global state.
 *
 * Naming (https://prometheus.io/docs/practices/naming/): one `govdb_` prefix on every series
 * (the Node.js defaults become `govdb_process_cpu_user_seconds_total`, `govdb_nodejs_heap_size_used_bytes`, ...),
 * base units in the name (`_seconds`, `_bytes`), `_total` on counters and only on counters.
 */
export function createMetrics(sources: MetricSources = {}, options: MetricOptions = {}): ServerMetrics {
  const registry = new Registry();
  const gc = (globalThis as { gc?: () => void }).gc;
  if (options.gcBeforeScrape && typeof gc === 'function') {
    // registered first: collected before the default heap metrics below
    new Counter({ name: 'govdb_debug_gc_runs_total', help: 'Full collections run before a scrape (GOVDB_DEBUG_GC=1)', registers: [registry], collect() { gc(); this.inc(); } });
  }
  collectDefaultMetrics({ register: registry, prefix: 'govdb_' });
  // prom-client names three gauges `_total` (a counter suffix): replaced by gauges without it
  for (const kind of ['handles', 'requests', 'resources'] as const) {
    registry.removeSingleMetric(`govdb_nodejs_active_${kind}_total`);
    registry.removeSingleMetric(`govdb_nodejs_active_${kind}`); // prom-client's per-type breakdown, re-added below
  }
  new Gauge({
    name: 'govdb_nodejs_active_resources', help: 'Resources keeping the event loop alive, by type (process.getActiveResourcesInfo)', labelNames: ['type'] as const, registers: [registry],
    collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const t of process.getActiveResourcesInfo()) counts.set(t, (counts.get(t) ?? 0) + 1);
      for (const [type, n] of counts) this.set({ type }, n);
    },
  });
  const toolCalls = new Counter({ name: 'govdb_tool_calls_total', help: 'MCP tool calls by tool and outcome (ok or error code)', labelNames: ['tool', 'outcome'] as const, registers: [registry] });
  const toolLatency = new Histogram({
    name: 'govdb_tool_latency_seconds', help: 'MCP tool call latency', labelNames: ['tool'] as const, registers: [registry],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
  const rateLimitRejections = new Counter({ name: 'govdb_rate_limit_rejections_total', help: 'Calls refused by a rate limit', labelNames: ['operation'] as const, registers: [registry] });
  const mcpSessions = new Gauge({ name: 'govdb_mcp_sessions', help: 'Live MCP sessions over Streamable HTTP in this process', registers: [registry] });
  const mcpSessionsOpened = new Counter({ name: 'govdb_mcp_sessions_opened_total', help: 'MCP sessions opened (initialize accepted)', registers: [registry] });
  const mcpSessionsClosed = new Counter({ name: 'govdb_mcp_sessions_closed_total', help: 'MCP sessions ended, by reason (deleted, expired, shutdown)', labelNames: ['reason'] as const, registers: [registry] });
  const mcpSessionRejections = new Counter({ name: 'govdb_mcp_session_rejections_total', help: 'initialize requests refused, by reason (server_cap, client_cap, initialize_rate)', labelNames: ['reason'] as const, registers: [registry] });
  new Gauge({
    name: 'govdb_db_pool_connections', help: 'PostgreSQL pool connections by state', labelNames: ['state'] as const, registers: [registry],
    collect() {
      const p = sources.pool?.();
      if (!p) return;
      this.set({ state: 'total' }, p.total);
      this.set({ state: 'idle' }, p.idle);
      this.set({ state: 'waiting' }, p.waiting);
    },
  });
  sourcedCounter(registry, 'govdb_db_statement_recoveries_total', 'Named prepared statements re-prepared after the session disagreed (SQLSTATE 42P05 already exists, 26000 does not exist, 0A000 cached plan must not change result type)',
    () => ({ '42P05': statementRecoveries.alreadyExists, '26000': statementRecoveries.doesNotExist, '0A000': statementRecoveries.resultTypeChanged }), ['sqlstate']);
  new Gauge({
    name: 'govdb_cache_mode', help: 'Cache mode: 1 for the active mode (redis or memory)', labelNames: ['mode'] as const, registers: [registry],
    collect() {
      const c = sources.cache?.();
      if (!c) return;
      this.set({ mode: 'redis' }, c.mode === 'redis' ? 1 : 0);
      this.set({ mode: 'memory' }, c.mode === 'memory' ? 1 : 0);
    },
  });
  sourcedCounter(registry, 'govdb_cache_invalidation_failures_total', 'Agent metadata invalidations that failed after a committed change (the cached copy lives until its TTL)',
    () => sources.cache?.()?.invalidationFailures);
  new Gauge({
    name: 'govdb_cache_hit_ratio', help: 'Metadata cache hit ratio since start (0..1)', registers: [registry],
    collect() {
      const c = sources.cache?.();
      if (!c || c.hits === undefined || c.misses === undefined) return;
      const total = c.hits + c.misses;
      this.set(total ? c.hits / total : 0);
    },
  });
  new Gauge({
    name: 'govdb_audit_queue_depth', help: 'Audit lines written to the JSONL but not yet mirrored to PostgreSQL', registers: [registry],
    collect() {
      const a = sources.audit?.();
      if (a?.queueDepth !== undefined) this.set(a.queueDepth);
    },
  });
  sourcedCounter(registry, 'govdb_audit_mirrored_lines_total', 'Audit lines mirrored to PostgreSQL since start', () => sources.audit?.()?.mirroredTotal);
  return { registry, toolCalls, toolLatency, rateLimitRejections, mcpSessions, mcpSessionsOpened, mcpSessionsClosed, mcpSessionRejections };
}
