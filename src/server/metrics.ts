import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one server process; a registry per instance, no global state. */
export interface ServerMetrics {
  registry: Registry;
  toolCalls: Counter<'tool' | 'outcome'>;
  toolLatency: Histogram<'tool'>;
  rateLimitRejections: Counter<'operation'>;
}

export interface MetricSources {
  pool?: () => { total: number; idle: number; waiting: number };
  cache?: () => { mode: string; hits?: number; misses?: number };
  audit?: () => { queueDepth?: number; lagLines?: number; mirroredTotal?: number };
}

export function createMetrics(sources: MetricSources = {}): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'govdb_process_' });
  const toolCalls = new Counter({ name: 'govdb_tool_calls_total', help: 'MCP tool calls by tool and outcome (ok or error code)', labelNames: ['tool', 'outcome'] as const, registers: [registry] });
  const toolLatency = new Histogram({
    name: 'govdb_tool_latency_seconds', help: 'MCP tool call latency', labelNames: ['tool'] as const, registers: [registry],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
  const rateLimitRejections = new Counter({ name: 'govdb_rate_limit_rejections_total', help: 'Calls refused by a rate limit', labelNames: ['operation'] as const, registers: [registry] });
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
  new Gauge({
    name: 'govdb_cache_mode', help: 'Cache mode: 1 for the active mode (redis or memory)', labelNames: ['mode'] as const, registers: [registry],
    collect() {
      const c = sources.cache?.();
      if (!c) return;
      this.set({ mode: 'redis' }, c.mode === 'redis' ? 1 : 0);
      this.set({ mode: 'memory' }, c.mode === 'memory' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'govdb_cache_hit_ratio', help: 'Metadata cache hit ratio since start', registers: [registry],
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
  new Gauge({
    name: 'govdb_audit_mirrored_total', help: 'Audit lines mirrored to PostgreSQL since start', registers: [registry],
    collect() {
      const a = sources.audit?.();
      if (a?.mirroredTotal !== undefined) this.set(a.mirroredTotal);
    },
  });
  return { registry, toolCalls, toolLatency, rateLimitRejections };
}
