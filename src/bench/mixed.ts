import { ChildProcess, spawn } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import net from 'net';
import os from 'os';
import path from 'path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { DbPool as Pool } from '../db/types';
import { processCpuMs } from './cpu';
import { distribution, Distribution } from './measure';
import { ROOT } from './setup';
import { ToolCallRecorder } from './toolCalls';

/**
 * The mixed MCP workload through the built HTTP server (`bin/govdb.js serve`, a child process), with
 * the official SDK Client over Streamable HTTP, at several client counts. Each client works in
 * cycles of 20 calls on one fresh agent (a new MCP session per agent, as an agent process would):
 * 1 onboard (5%), 12 process_agent_update (60%), 2 store_knowledge (10%), 3 search_knowledge (15%),
 * 2 reads (10%: get_agent, get_governance_metrics), the non-onboard calls in a fixed shuffled order.
 * One agent per 20 calls also keeps every agent under the default per-agent rate limits (60 tool
 * calls a minute, 20 stores an hour); the onboarding and initialize limits are raised for the run.
 * Measured per level: ops/s, latency p50/p99 overall and per tool, errors, the server's peak RSS
 * (VmHWM/VmRSS from /proc), CPU of the server process and of the PostgreSQL backends serving the
 * bench database per op; the last level optionally runs under `node --cpu-prof` and its top frames
 * by self time are summarised (the bottleneck, named).
 */

export interface MixedLevel {
  clients: number;
  seconds: number;
  ops: number;
  opsPerSec: number;
  latencyMs: Distribution;
  perTool: Record<string, { n: number; p50: number; p99: number }>;
  errors: number;
  firstErrors: string[];
  /** peak resident set of the server process over the level, MB */
  serverPeakRssMb: number;
  /** CPU of the server process per op, ms */
  serverCpuMsPerOp: number | null;
  /** CPU of the PostgreSQL backends connected to the bench database per op, ms (null: /proc unreadable) */
  postgresCpuMsPerOp: number | null;
}

export interface ProfileFrame {
  /** function name (or "(program)", "(garbage collector)", "(idle)") and where it is defined */
  frame: string;
  /** share of the busy (non-idle) samples of the profiled server, percent */
  selfPercent: number;
}

export interface MixedResult {
  discoveries: number;
  levels: MixedLevel[];
  /** top frames by self time of the server during the profiled level (`node --cpu-prof`) */
  profile?: { clients: number; idlePercent: number; frames: ProfileFrame[]; byPackage: ProfileFrame[] };
}

const CYCLE: string[] = (() => {
  // 12 updates, 2 stores, 3 searches, 2 reads, in a fixed interleaving (onboard opens each cycle)
  const calls = [...Array(12).fill('process_agent_update'), 'store_knowledge', 'store_knowledge', 'search_knowledge', 'search_knowledge', 'search_knowledge', 'get_agent', 'get_governance_metrics'];
  let seed = 7;
  for (let i = calls.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [calls[i], calls[j]] = [calls[j]!, calls[i]!];
  }
  return calls;
})();
const SEARCHES = ['governance', 'agent risk', '"governance agent"', 'calibration threshold', 'coherence', 'a3f1e', 'entropy OR void', 'threshold'];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function rssMb(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(status.match(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

interface Served {
  child: ChildProcess;
  url: URL;
  stop(): Promise<void>;
}

async function startServer(dbUrl: string, redisUrl: string, profileDir: string | null): Promise<Served> {
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.tmpdir(),
    DB_POSTGRES_URL: dbUrl,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `benchmixed${process.pid}${Math.random().toString(36).slice(2, 6)}:`,
    GOVDB_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'govdb-bench-mixed-')),
    GOVDB_ONBOARD_PER_ADDRESS_PER_HOUR: '1000000',
    GOVDB_ONBOARD_TOTAL_PER_HOUR: '10000000',
    GOVDB_INITIALIZE_PER_MINUTE: '1000000',
  };
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'bin', 'govdb.js'), 'serve', '--port', String(port)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 60_000;
  while (!stderr.includes('MCP server on')) {
    if (gone) throw new Error(`govdb serve exited before serving:\n${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`govdb serve did not start within 60 s:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    url: new URL(`http://127.0.0.1:${port}/mcp`),
    async stop() {
      if (!gone) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
      rmSync(env.GOVDB_DATA_DIR!, { recursive: true, force: true });
    },
  };
}

async function backendPids(pool: Pool): Promise<number[]> {
  const { rows } = await pool.query<{ pid: number }>(`select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`);
  return rows.map((r) => Number(r.pid));
}

/** One untimed cycle per client (JIT, pools, prepared statements, caches), so the level measures a warm server. */
async function warmUp(served: Served, clients: number, runId: string): Promise<void> {
  await Promise.all(Array.from({ length: clients }, async (_, w) => {
    const client = new Client({ name: 'govdb-bench-mixed-warmup', version: '1' });
    const transport = new StreamableHTTPClientTransport(served.url);
    await client.connect(transport);
    try {
      const r = (await client.callTool({ name: 'onboard', arguments: { label: `mixed warmup ${runId} ${clients}.${w}` } })) as CallToolResult;
      const agentId = (r.structuredContent)?.agent_id as string | undefined;
      if (!agentId) throw new Error(`warm-up onboard failed: ${JSON.stringify(r.content).slice(0, 200)}`);
      for (const [i, tool] of CYCLE.entries()) {
        const args = tool === 'process_agent_update' ? { complexity: 0.5, confidence: 0.8, response_length: 900 }
          : tool === 'store_knowledge' ? { summary: `mixed warmup ${w}.${i}`, tags: ['bench'] }
          : tool === 'search_knowledge' ? { query: SEARCHES[i % SEARCHES.length], limit: 20 }
          : tool === 'get_agent' ? { agent_id: agentId } : {};
        await client.callTool({ name: tool, arguments: args });
      }
    } finally {
      await endSession(client, transport);
    }
  }));
}

/**
 * Ends a cycle's MCP session the way a well-behaved client does: DELETE /mcp, then close. `close()`
 * alone leaves the session live on the server until its idle expiry, so a fast level piled up more
 * than GOVDB_MAX_SESSIONS_PER_CLIENT (100) sessions from the bench's one address and was refused
 * with MCP_CLIENT_SESSIONS_FULL (and the held sessions inflated the server's RSS).
 */
async function endSession(client: Client, transport: StreamableHTTPClientTransport): Promise<void> {
  await transport.terminateSession().catch(() => undefined);
  await client.close().catch(() => undefined);
}

async function runLevel(served: Served, pool: Pool, clients: number, seconds: number, runId: string): Promise<MixedLevel> {
  await warmUp(served, clients, runId);
  const recorder = new ToolCallRecorder(5);
  const { samples, all, firstErrors } = recorder;
  const pid = served.child.pid!;
  let peak = rssMb(pid)?.rss ?? 0;
  const rssTimer = setInterval(() => (peak = Math.max(peak, rssMb(pid)?.rss ?? 0)), 100);
  // PostgreSQL CPU: the backends of the bench database at the start (the server's pool) and the end
  const pgBefore = new Map<number, number>();
  for (const p of await backendPids(pool)) pgBefore.set(p, processCpuMs(p) ?? NaN);
  const server0 = processCpuMs(pid);
  const until = Date.now() + seconds * 1000;
  const worker = async (w: number) => {
    for (let cycle = 0; Date.now() < until; cycle++) {
      const client = new Client({ name: 'govdb-bench-mixed', version: '1' });
      const transport = new StreamableHTTPClientTransport(served.url);
      await client.connect(transport);
      const call = recorder.caller(client);
      try {
        const onboarded = await call('onboard', { label: `mixed ${runId} ${clients}.${w}.${cycle}` });
        const agentId = onboarded?.agent_id as string | undefined;
        if (!agentId) continue;
        for (let i = 0; i < CYCLE.length && Date.now() < until; i++) {
          const tool = CYCLE[i]!;
          if (tool === 'process_agent_update') await call(tool, { complexity: 0.3 + 0.05 * (i % 8), confidence: 0.8, response_length: 800 + 50 * i });
          else if (tool === 'store_knowledge') await call(tool, { summary: `mixed workload insight ${w}.${cycle}.${i} about governance threshold drift`, tags: ['bench', 'mixed'] });
          else if (tool === 'search_knowledge') await call(tool, { query: SEARCHES[(w + cycle + i) % SEARCHES.length], limit: 20 });
          else if (tool === 'get_agent') await call(tool, { agent_id: agentId });
          else await call(tool, {});
        }
      } finally {
        await endSession(client, transport);
      }
    }
  };
  const t0 = process.hrtime.bigint();
  try {
    await Promise.all(Array.from({ length: clients }, (_, w) => worker(w)));
  } finally {
    clearInterval(rssTimer);
  }
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const server1 = processCpuMs(pid);
  let pgCpu: number | null = 0;
  for (const p of await backendPids(pool)) {
    const after = processCpuMs(p);
    const before = pgBefore.get(p) ?? 0; // a backend opened during the level counts from zero
    if (after === null || Number.isNaN(before)) pgCpu = null;
    else if (pgCpu !== null) pgCpu += after - before;
  }
  const hwm = rssMb(pid)?.hwm;
  const ops = all.length;
  return {
    clients,
    seconds: Number(wallS.toFixed(2)),
    ops,
    opsPerSec: Math.round(ops / wallS),
    latencyMs: distribution(all),
    perTool: Object.fromEntries([...samples].map(([k, v]) => { const d = distribution(v); return [k, { n: d.n, p50: d.p50, p99: d.p99 }]; })),
    errors: recorder.errors,
    firstErrors,
    serverPeakRssMb: Math.round(Math.max(peak, hwm ?? 0)),
    serverCpuMsPerOp: server0 === null || server1 === null ? null : (server1 - server0) / Math.max(1, ops),
    postgresCpuMsPerOp: pgCpu === null ? null : pgCpu / Math.max(1, ops),
  };
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
}

/** Idle share, then the top frames by self time among busy samples of a .cpuprofile, and the same grouped by package (node_modules/<pkg>, govdb's dist/<dir>, node:internal). */
export function summariseProfile(file: string, top = 15): { idlePercent: number; frames: ProfileFrame[]; byPackage: ProfileFrame[] } {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const pkg = new Map<string, number>();
  let idle = 0;
  for (const id of prof.samples) {
    const n = byId.get(id);
    if (!n) continue;
    const f = n.callFrame;
    if (f.functionName === '(idle)') {
      idle++;
      continue;
    }
    const where = f.url ? `${f.url.replace(/^file:\/\//, '').replace(ROOT + '/', '')}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + 1);
    const p = !f.url ? (f.functionName.startsWith('(') ? f.functionName : '(native)')
      : f.url.includes('node_modules/') ? `node_modules/${f.url.split('node_modules/').pop()!.split('/').slice(0, f.url.split('node_modules/').pop()!.startsWith('@') ? 2 : 1).join('/')}`
      : f.url.startsWith('node:') ? 'node:internal'
      : f.url.includes('/dist/') ? `govdb dist/${f.url.split('/dist/').pop()!.split('/')[0]}`
      : 'other';
    pkg.set(p, (pkg.get(p) ?? 0) + 1);
  }
  const busy = prof.samples.length - idle || 1;
  const rank = (m: Map<string, number>, k: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([frame, n]) => ({ frame, selfPercent: Number(((100 * n) / busy).toFixed(1)) }));
  return { idlePercent: Number(((100 * idle) / (prof.samples.length || 1)).toFixed(1)), frames: rank(self, top), byPackage: rank(pkg, 12) };
}

/**
 * Runs the mixed workload at each client count against one server process per level (so each
 * level's peak RSS is its own); with `profile`, the last level's server runs under --cpu-prof.
 */
export async function benchMixed(dbUrl: string, redisUrl: string, pool: Pool, options: { levels: number[]; seconds: number; profile: boolean; log: (s: string) => void }): Promise<MixedResult> {
  const discoveries = Number((await pool.query(`select count(*)::int as n from knowledge.discoveries`)).rows[0].n);
  const runId = Math.random().toString(36).slice(2, 8);
  const levels: MixedLevel[] = [];
  let profile: MixedResult['profile'];
  for (const [i, n] of options.levels.entries()) {
    const profiled = options.profile && i === options.levels.length - 1;
    const profileDir = profiled ? mkdtempSync(path.join(os.tmpdir(), 'govdb-bench-prof-')) : null;
    const served = await startServer(dbUrl, redisUrl, profileDir);
    try {
      const level = await runLevel(served, pool, n, options.seconds, runId);
      levels.push(level);
      options.log(`bench: mixed MCP workload, ${n} clients: ${level.opsPerSec} ops/s, p50 ${level.latencyMs.p50.toFixed(2)} ms, p99 ${level.latencyMs.p99.toFixed(2)} ms, server peak RSS ${level.serverPeakRssMb} MB, CPU/op server ${level.serverCpuMsPerOp?.toFixed(3) ?? '?'} ms + PostgreSQL ${level.postgresCpuMsPerOp?.toFixed(3) ?? '?'} ms, errors ${level.errors}${level.firstErrors.length ? ` (${level.firstErrors[0]})` : ''}`);
    } finally {
      await served.stop();
    }
    if (profileDir) {
      const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
      if (file && existsSync(path.join(profileDir, file))) profile = { clients: n, ...summariseProfile(path.join(profileDir, file)) };
      else options.log('bench: the server wrote no CPU profile');
      rmSync(profileDir, { recursive: true, force: true });
    }
  }
  return { discoveries, levels, profile };
}
