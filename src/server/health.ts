import { scrubMessage } from '../errors';
import type { DbPool } from '../db/types';
import type { CheckResult, CheckStatus, HealthReport } from '../mcp/observability';
import { LedgerFiles } from '../db/migrate/ledgerFiles';
import { itemsToApply, readLedgerStatus } from '../db/migrate/status';
import { core, CoreHealthSnapshotRow } from '../db/generated/functions';

type HealthSnapshot = CoreHealthSnapshotRow;

export interface HealthSources {
  db: DbPool;
  store: 'postgres' | 'embedded';
  ledger: LedgerFiles;
  version: string;
  startedAt: number;
  /** the cache layer's mode and why */
  cache?: () => { mode: 'redis' | 'memory'; reason?: string | null; configured: boolean };
  /**
   * the audit trail's writer and mirror state; `lastError` is the error of the mirror's CURRENT
   * failure streak (null once a batch succeeded again), so the check recovers by itself
   */
  audit?: () => { writable: boolean; queueDepth: number; lagLines: number; lagSeconds: number; lastFlushAt: string | null; lastError: string | null };
  checkTimeoutMs?: number;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function checkPostgres(s: HealthSources): Promise<CheckResult & { schemaVersion?: number | null }> {
  const status = await readLedgerStatus(s.db, s.ledger);
  const pending = itemsToApply(status).length;
  const pool = { total: s.db.totalCount, idle: s.db.idleCount, waiting: s.db.waitingCount };
  const base = { pool, schema_version: status.sqlVersion, pending, schemaVersion: status.sqlVersion };
  if (status.problems.length) return { status: 'error', message: status.problems.map((p) => p.message).join(' '), ...base };
  if (pending) return { status: 'warning', message: `${pending} ledger item(s) pending: run govdb migrate`, ...base };
  return { status: 'healthy', message: `reachable, ${s.store} store, schema version ${status.sqlVersion}`, ...base };
}

async function checkGraph(snap: HealthSnapshot): Promise<CheckResult> {
  if (!snap.graph_present) return { status: 'error', message: 'AGE graph governance_graph is missing' };
  // cheap consistency check: the Discovery vertex table against its relational source, by count
  const c = { discoveries: Number(snap.discoveries), discovery_vertices: Number(snap.discovery_vertices) };
  if (c.discoveries !== c.discovery_vertices) {
    return { status: 'warning', message: `projection differs: ${c.discoveries} discoveries, ${c.discovery_vertices} Discovery vertices; run govdb graph verify`, ...c };
  }
  return { status: 'healthy', message: 'graph present, Discovery projection consistent by count', ...c };
}

function checkCache(s: HealthSources): CheckResult {
  const c = s.cache?.();
  if (!c) return { status: 'unavailable', message: 'no cache layer in this process' };
  if (c.mode === 'redis') return { status: 'healthy', message: 'redis mode', mode: c.mode };
  // not configured is a valid single-server setup (information, not a problem); configured but
  // unreachable is a warning until the cache layer's probe finds Redis again
  if (!c.configured) return { status: 'healthy', message: 'memory mode (REDIS_URL not set: sessions, limits and cache live in this process)', mode: c.mode, configured: false };
  return { status: 'warning', message: `memory mode: Redis configured but unreachable (${c.reason ?? 'unknown reason'}); retrying`, mode: c.mode, configured: true, reason: c.reason ?? null };
}

function checkAudit(s: HealthSources, snap: HealthSnapshot | null): CheckResult {
  const a = s.audit?.();
  if (!a) return { status: 'unavailable', message: 'audit trail not running in this process' };
  // lines the mirror could not load (audit.mirror_rejects, via core.health_snapshot): named, never hidden
  const rejects = Number(snap?.mirror_rejects ?? 0);
  const lastReject = (snap?.last_mirror_reject ?? null) as { file_name: string; line_no: number; reason: string; recorded_at: string } | null;
  const details = { queue_depth: a.queueDepth, lag_lines: a.lagLines, lag_seconds: a.lagSeconds, last_flush: a.lastFlushAt, last_error: a.lastError, mirror_rejects: rejects, last_mirror_reject: lastReject };
  if (!a.writable) return { status: 'error', message: 'audit_log.jsonl is not writable', ...details };
  if (rejects && lastReject) {
    return { status: 'warning', message: `${rejects} audit line(s) could not be loaded into PostgreSQL and were skipped (audit.mirror_rejects); newest ${lastReject.file_name}:${lastReject.line_no}: ${lastReject.reason}`, ...details };
  }
  if (a.lastError || a.lagSeconds > 60) return { status: 'warning', message: `mirror behind by ${a.lagLines} line(s), ${a.lagSeconds.toFixed(0)} s${a.lastError ? `: ${a.lastError}` : ''}`, ...details };
  return { status: 'healthy', message: 'JSONL writable, mirror current', ...details };
}

function checkCalibration(snap: HealthSnapshot): CheckResult {
  const bins = snap.calibration_bins;
  const samples = Number(snap.calibration_samples ?? 0);
  // "no data yet" is the normal state of a new install, not a problem
  if (!bins) return { status: 'healthy', message: 'no calibration data yet', bins, samples };
  return { status: 'healthy', message: `${bins} calibration bins, ${samples} samples`, bins, samples };
}

/**
 * critical if any check errors, healthy if all are healthy, else moderate. Every check reads the
 * present (no latched state): a check recovers on the first call after its component recovered.
 */
export async function checkHealth(s: HealthSources): Promise<HealthReport> {
  const timeout = s.checkTimeoutMs ?? 2000;
  const guard = async (name: string, fn: () => Promise<CheckResult> | CheckResult): Promise<[string, CheckResult]> => {
    try {
      const result = await withTimeout(Promise.resolve().then(fn), timeout, name);
      // a check's message reaches /health and health_check: no addresses or paths
      return [name, { ...result, message: scrubMessage(result.message, 'UNAVAILABLE') }];
    } catch (err) {
      return [name, { status: 'error', message: scrubMessage((err as Error)?.message ?? String(err), 'UNAVAILABLE') }];
    }
  };
  // one call serves the graph and calibration checks; its failure fails both
  const snapshot = core.healthSnapshot(s.db);
  snapshot.catch(() => undefined);
  const results = await Promise.all([
    guard('postgres', () => checkPostgres(s)),
    guard('graph', async () => checkGraph(await snapshot)),
    guard('cache', () => checkCache(s)),
    guard('audit', async () => checkAudit(s, await snapshot.catch(() => null))),
    guard('calibration', async () => checkCalibration(await snapshot)),
  ]);
  const checks = Object.fromEntries(results) as Record<string, CheckResult>;
  const breakdown: Record<CheckStatus, number> = { healthy: 0, warning: 0, deprecated: 0, unavailable: 0, error: 0 };
  for (const c of Object.values(checks)) breakdown[c.status]++;
  const schemaVersion = (checks.postgres as { schema_version?: number | null }).schema_version ?? null;
  delete (checks.postgres as { schemaVersion?: unknown }).schemaVersion;
  return {
    status: breakdown.error ? 'critical' : breakdown.healthy === results.length ? 'healthy' : 'moderate',
    status_breakdown: breakdown,
    checks,
    schema_version: schemaVersion,
    store: s.store,
    version: s.version,
    uptime: Math.round((Date.now() - s.startedAt) / 1000),
  };
}
