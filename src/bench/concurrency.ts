import { execFileSync } from 'child_process';
import os from 'os';
import path from 'path';
import type { DbPool as Pool } from '../db/types';
import { createPool } from '../db/pool';
import { createAgentService } from '../domain/agents';
import { createEisvService } from '../domain/eisv';
import { distribution, Distribution } from './measure';
import { dropDatabase, recreateDatabase, ROOT } from './setup';

export interface ConcurrencyLevel {
  clients: number;
  /** process_agent_update through the service layer, one agent per client */
  updatesPerSec: number;
  latencyMs: Distribution;
  /** pgbench's TPC-B-like transactions/s at the same client count (null: pgbench not found) */
  pgbenchTps: number | null;
}

export interface ConcurrencyResult {
  seconds: number;
  pgbenchScale: number;
  levels: ConcurrencyLevel[];
  /**
   * the largest client count again with the dashboard's NOTIFY triggers on core.agents and
   * core.agent_state disabled: NOTIFY takes a database-wide lock from pre-commit to the end of the
   * commit, WAL flush included, so notifying transactions commit one at a time. Since migration 14 no
   * trigger notifies on the update path, so this level should match the normal one; before, it
   * measured that cost (absent in --quick runs and older results)
   */
  withoutDashboardNotify?: ConcurrencyLevel;
  /** all clients on one agent: updates are serialised by the agent row lock and none is lost */
  sameAgent: { clients: number; updatesPerSec: number; completed: number; rows: number; seqGapless: boolean };
}

/** Runs `clients` loops of process_agent_update for `seconds`, each on its own connection and agent (or one shared agent). */
async function updateLoad(url: string, agentIds: string[], seconds: number): Promise<{ perSec: number; samples: number[] }> {
  const pool = createPool(url, { max: agentIds.length });
  const clients = await Promise.all(agentIds.map(() => pool.connect()));
  const samples: number[] = [];
  const deadline = Date.now() + seconds * 1000;
  const t0 = process.hrtime.bigint();
  try {
    await Promise.all(clients.map(async (c, i) => {
      const eisv = createEisvService(c);
      while (Date.now() < deadline) {
        const s = process.hrtime.bigint();
        await eisv.processUpdate({ agentId: agentIds[i]!, complexity: 0.5, confidence: 0.8, responseLength: 1500 });
        samples.push(Number(process.hrtime.bigint() - s) / 1e6);
      }
    }));
  } finally {
    clients.forEach((c) => c.release());
    await pool.end();
  }
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  return { perSec: samples.length / wallS, samples };
}

function pgbenchPath(): string | null {
  try {
    return execFileSync('bash', [path.join(ROOT, 'bench', 'pg-durable.sh'), 'pgbench'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    return null;
  }
}

function pgbenchArgs(url: string): string[] {
  const u = new URL(url);
  return ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres'), u.pathname.slice(1)];
}

/**
 * Throughput under concurrency: updates/s at each client count beside pgbench's TPC-B-like tps
 * (`pgbench -M prepared`, scale = the largest client count so that clients do not queue on one
 * branch row), on the same server in the same run.
 */
export async function benchConcurrency(server: string, benchUrl: string, options: { levels: number[]; seconds: number; pgbenchScale?: number; notifyDiagnostic?: boolean; log: (s: string) => void }): Promise<ConcurrencyResult> {
  const pool = createPool(benchUrl, { max: 2 });
  try {
    return await run(server, benchUrl, pool, options);
  } finally {
    await pool.end();
  }
}

async function run(server: string, benchUrl: string, pool: Pool, options: { levels: number[]; seconds: number; pgbenchScale?: number; notifyDiagnostic?: boolean; log: (s: string) => void }): Promise<ConcurrencyResult> {
  const agents = createAgentService(pool);
  const maxClients = Math.max(...options.levels);
  const ids: string[] = [];
  for (let i = 0; i < maxClients; i++) ids.push((await agents.onboard({ label: `bench concurrency ${i}` })).agentId);

  const pgbench = pgbenchPath();
  const scale = options.pgbenchScale ?? maxClients;
  const pgbenchDb = `govdb_bench_pgbench_${process.pid}`;
  let pgbenchUrl: string | null = null;
  if (pgbench) {
    pgbenchUrl = await recreateDatabase(server, pgbenchDb);
    options.log(`bench: pgbench -i -s ${scale}`);
    execFileSync(pgbench, ['-i', '-q', '-s', String(scale), ...pgbenchArgs(pgbenchUrl)], { stdio: ['ignore', 'ignore', 'pipe'] });
  } else options.log('bench: pgbench not found; its column stays empty');

  const levels: ConcurrencyLevel[] = [];
  try {
    for (const n of options.levels) {
      const load = await updateLoad(benchUrl, ids.slice(0, n), options.seconds);
      let tps: number | null = null;
      if (pgbench && pgbenchUrl) {
        const out = execFileSync(pgbench, ['-n', '-M', 'prepared', '-c', String(n), '-j', String(Math.min(n, os.cpus().length)), '-T', String(options.seconds), ...pgbenchArgs(pgbenchUrl)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
        const m = out.match(/tps = ([\d.]+) \(without initial connection time\)/);
        tps = m ? Number(m[1]) : null;
      }
      levels.push({ clients: n, updatesPerSec: Math.round(load.perSec), latencyMs: distribution(load.samples), pgbenchTps: tps === null ? null : Math.round(tps) });
      options.log(`bench: ${n} clients: ${Math.round(load.perSec)} updates/s (p50 ${distribution(load.samples).p50.toFixed(2)} ms), pgbench ${tps === null ? '-' : Math.round(tps)} tps`);
    }
  } finally {
    if (pgbenchUrl) await dropDatabase(server, pgbenchDb).catch(() => undefined);
  }

  let withoutDashboardNotify: ConcurrencyLevel | undefined;
  if (options.notifyDiagnostic) {
    // every dashboard NOTIFY trigger still on these tables (since migration 14 none fires on the update path)
    const found = await pool.query(`select tgrelid::regclass::text as t, tgname as name from pg_trigger where tgname like 'dashboard_notify%' and tgrelid in ('core.agents'::regclass, 'core.agent_state'::regclass)`);
    const triggers = found.rows as Array<{ t: string; name: string }>;
    for (const { t, name } of triggers) await pool.query(`alter table ${t} disable trigger ${name}`);
    try {
      const load = await updateLoad(benchUrl, ids.slice(0, maxClients), options.seconds);
      withoutDashboardNotify = { clients: maxClients, updatesPerSec: Math.round(load.perSec), latencyMs: distribution(load.samples), pgbenchTps: null };
      options.log(`bench: ${maxClients} clients, dashboard NOTIFY triggers disabled: ${withoutDashboardNotify.updatesPerSec} updates/s (p50 ${withoutDashboardNotify.latencyMs.p50.toFixed(2)} ms)`);
    } finally {
      for (const { t, name } of triggers) await pool.query(`alter table ${t} enable trigger ${name}`);
    }
  }

  const shared = (await agents.onboard({ label: 'bench concurrency shared' })).agentId;
  const same = await updateLoad(benchUrl, Array.from({ length: maxClients }, () => shared), options.seconds);
  const check = await pool.query(`select count(*)::int as n, coalesce(max(seq), 0)::int as max, count(distinct seq)::int as distinct_seq from core.agent_state where agent_id = $1`, [shared]);
  const row = check.rows[0] as { n: number; max: number; distinct_seq: number };
  return {
    seconds: options.seconds,
    pgbenchScale: scale,
    levels,
    withoutDashboardNotify,
    sameAgent: { clients: maxClients, updatesPerSec: Math.round(same.perSec), completed: same.samples.length, rows: row.n, seqGapless: row.max === row.n && row.distinct_seq === row.n },
  };
}
