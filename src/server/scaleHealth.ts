import { Gauge, Registry } from 'prom-client';
import type { CheckResult, CheckStatus, HealthReport } from './health';
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
  new Gauge({
    name: 'govdb_leader_job_runs_total', help: 'Completed background job runs on this server since start', labelNames: ['job'] as const, registers: [registry],
    collect() {
      for (const [job, n] of Object.entries(leader.state().runs)) this.set({ job }, n);
    },
  });
}
