import { Counter, Gauge, Registry } from 'prom-client';
import type { CheckResult, CheckStatus, HealthReport } from '../mcp/observability';
import type { ReplicaMonitor } from '../db/replicas';
import type { ReadRouter } from '../db/readRouting';
import type { Leader } from './leader';

/** The /health check of the background-work leader election. */
export function leaderCheck(leader: Leader): CheckResult {
  const s = leader.state();
  const details = { is_leader: s.isLeader, since: s.since, acquisitions: s.acquisitions, runs: s.runs, last_error: s.lastError };
  return { status: 'healthy', message: s.isLeader ? `leader for background work since ${s.since}` : 'follower (another server runs the background work)', ...details };
}

/** Adds checks to a health report, recomputing the breakdown and overall status the way checkHealth does. */
export function withChecks(report: HealthReport, extra: Record<string, CheckResult>): HealthReport {
  const checks = { ...report.checks, ...extra };
  const breakdown: Record<CheckStatus, number> = { healthy: 0, warning: 0, deprecated: 0, unavailable: 0, error: 0 };
  for (const c of Object.values(checks)) breakdown[c.status]++;
  const total = Object.keys(checks).length;
  return { ...report, checks, status_breakdown: breakdown, status: breakdown.error ? 'critical' : breakdown.healthy === total ? 'healthy' : 'moderate' };
}

/** govdb_leader (1 on the leader) and govdb_leader_job_runs_total{job} on a server's registry. */
export function registerLeaderMetrics(registry: Registry, leader: Leader): void {
  new Gauge({
    name: 'govdb_leader', help: '1 when this server holds the background-work leader lock', registers: [registry],
    collect() {
      this.set(leader.state().isLeader ? 1 : 0);
    },
  });
  // a counter (Prometheus naming: _total only on counters), advanced at scrape time by the runs since the last scrape
  const reported: Record<string, number> = {};
  new Counter({
    name: 'govdb_leader_job_runs_total', help: 'Completed background job runs on this server since start', labelNames: ['job'] as const, registers: [registry],
    collect() {
      for (const [job, n] of Object.entries(leader.state().runs)) {
        const delta = n - (reported[job] ?? 0);
        if (delta > 0) this.inc({ job }, delta);
        reported[job] = n;
      }
    },
  });
}

/** The /health check of the read replicas (DB_POSTGRES_READ_URL); absent when none is configured. */
export function replicaCheck(replicas: ReplicaMonitor, router?: ReadRouter): CheckResult {
  const states = replicas.state();
  const details = { replicas: states.map((s) => ({ url: s.url, up: s.up, usable: s.usable, lag_bytes: s.lagBytes, lag_seconds: s.lagSeconds, checked_at: s.checkedAt, error: s.error })) };
  const routing = router?.stats() ?? null;
  const bad = states.filter((s) => !s.usable);
  if (!bad.length) return { status: 'healthy', message: `${states.length} replica(s) streaming and within the lag bound; read-only tool calls read from them`, serving_reads: 'replicas', routing, ...details };
  return {
    status: 'warning',
    message: `${bad.length} of ${states.length} replica(s) skipped (${bad.map((s) => `${s.url}: ${s.up ? `lag ${s.lagBytes ?? '?'} bytes` : `down: ${s.error}`}`).join('; ')}); reads continue from the primary`,
    serving_reads: bad.length === states.length ? 'primary' : 'replicas',
    routing,
    ...details,
  };
}

/** govdb_replica_up / govdb_replica_lag_bytes / govdb_replica_lag_seconds by replica URL. */
export function registerReplicaMetrics(registry: Registry, replicas: ReplicaMonitor, router?: ReadRouter): void {
  const reported: Record<string, number> = {};
  new Counter({
    name: 'govdb_read_queries_total', help: 'Queries of read-only tool calls by where they ran (replica, primary) and replica failures retried on the primary (fallback)', labelNames: ['target'] as const, registers: [registry],
    collect() {
      const st = router?.stats();
      if (!st) return;
      for (const [target, n] of [['replica', st.replicaReads], ['primary', st.primaryReads], ['fallback', st.fallbacks]] as const) {
        const delta = n - (reported[target] ?? 0);
        if (delta > 0) this.inc({ target }, delta);
        reported[target] = n;
      }
    },
  });
  const each = (g: Gauge<'replica'>, pick: (s: ReturnType<ReplicaMonitor['state']>[number]) => number | null) => {
    for (const s of replicas.state()) {
      const v = pick(s);
      if (v !== null) g.set({ replica: s.url }, v);
    }
  };
  new Gauge({ name: 'govdb_replica_up', help: '1 when the read replica answers and is usable (within the lag bound)', labelNames: ['replica'] as const, registers: [registry], collect() { each(this, (s) => (s.usable ? 1 : 0)); } });
  new Gauge({ name: 'govdb_replica_lag_bytes', help: 'WAL bytes the replica has not replayed yet', labelNames: ['replica'] as const, registers: [registry], collect() { each(this, (s) => s.lagBytes); } });
  new Gauge({ name: 'govdb_replica_lag_seconds', help: 'Seconds since the last replayed commit on the replica', labelNames: ['replica'] as const, registers: [registry], collect() { each(this, (s) => s.lagSeconds); } });
}
