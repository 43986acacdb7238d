import { execFile } from 'child_process';
import os from 'os';
import path from 'path';
import { promisify } from 'util';
import { Client as PgClient } from 'pg';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/**
 * The reduced topology of scripts/topology.sh (primary + streaming replica + PgBouncer in transaction
 * mode + one Redis + 2 built servers + HAProxy round robin without stickiness), reached the way users
 * reach it: the official SDK client through HAProxy. Faults are real SIGKILLs.
 * Needs `npm run build` (the servers run dist/) and root (the PostgreSQL root is entered with chroot).
 */
const run = promisify(execFile);
const SCRIPT = path.resolve(__dirname, '..', '..', 'scripts', 'topology.sh');
const BASE = 26100 + (process.pid % 20) * 50; // below the ephemeral port range
const ENV = { ...process.env, GOVDB_TOPO_BASE: String(BASE), GOVDB_TOPO_DIR: path.join(os.tmpdir(), `govdb-topo-test-${BASE}`), GOVDB_LEADER_POLL_MS: '500' };
const HAPROXY = `http://127.0.0.1:${BASE + 40}`;
const SERVERS = [BASE + 30, BASE + 31];
const topo = (...args: string[]) => run('bash', [SCRIPT, ...args], { env: ENV, timeout: 240_000 });

interface Call {
  isError: boolean;
  data: Record<string, unknown>;
}
async function connect(): Promise<{ client: Client; call(name: string, args?: Record<string, unknown>): Promise<Call> }> {
  const client = new Client({ name: 'topology-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${HAPROXY}/mcp`)));
  await client.listTools(); // arms output-schema validation
  return {
    client,
    async call(name, args = {}) {
      const raw = (await client.callTool({ name, arguments: args })) as CallToolResult;
      return { isError: !!raw.isError, data: (raw.structuredContent ?? {}) };
    },
  };
}

/** tool calls counted by one server's /metrics */
async function toolCalls(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith('govdb_tool_calls_total{')).reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

async function leaderState(port: number): Promise<{ is_leader: boolean; runs: Record<string, number> } | null> {
  try {
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { checks: { leader: { is_leader: boolean; runs: Record<string, number> } } };
    return health.checks.leader;
  } catch {
    return null;
  }
}

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined | null | false>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('reduced topology: HAProxy → 2 servers → PgBouncer → primary (+ replica)', () => {
  beforeAll(async () => {
    await topo('down').catch(() => undefined);
    await topo('up', '--reduced');
  }, 300_000);
  afterAll(async () => {
    await topo('down');
  }, 120_000);

  it('status lists every part with its port, up', async () => {
    const { stdout } = await topo('status');
    for (const part of ['postgres-primary', 'postgres-replica', 'pgbouncer', 'redis-primary', 'govdb-server1', 'govdb-server2', 'haproxy']) {
      expect(stdout).toMatch(new RegExp(`^${part}\\s+\\d+\\s+up$`, 'm'));
    }
  });

  it('one SDK session round-robins over both servers with its identity intact, and survives the death of one', async () => {
    const before = await Promise.all(SERVERS.map(toolCalls));
    const c = await connect();
    try {
      const onboarded = await c.call('onboard', { label: 'topology' });
      expect(onboarded.isError).toBe(false);
      const agentId = onboarded.data.agent_id as string;
      const mixed = ['identity', 'process_agent_update', 'store_knowledge', 'search_knowledge', 'get_governance_metrics'];
      for (let i = 0; i < 20; i++) {
        const name = mixed[i % mixed.length]!;
        const args: Record<string, Record<string, unknown>> = {
          identity: {},
          process_agent_update: { complexity: 0.4, confidence: 0.7, response_length: 200 },
          store_knowledge: { summary: `topology discovery ${i}`, tags: ['topology'] },
          search_knowledge: { query: 'topology' },
          get_governance_metrics: {},
        };
        const r = await c.call(name, args[name]);
        expect({ name, isError: r.isError, data: r.isError ? r.data : undefined }).toEqual({ name, isError: false, data: undefined });
        if (name === 'identity') expect(r.data.agent_id).toBe(agentId);
      }
      const after = await Promise.all(SERVERS.map(toolCalls));
      // both servers served calls of this one session (no stickiness)
      expect(after[0]! - before[0]!).toBeGreaterThan(0);
      expect(after[1]! - before[1]!).toBeGreaterThan(0);

      // kill server 1 mid-session: the next call succeeds on server 2 within 5 s, as the same agent
      await topo('kill-server', '1');
      const started = Date.now();
      const next = await c.call('identity');
      expect(Date.now() - started).toBeLessThan(5000);
      expect(next).toMatchObject({ isError: false, data: { agent_id: agentId, bound: true } });
      const write = await c.call('process_agent_update', { complexity: 0.2, confidence: 0.8, response_length: 50 });
      expect(write.isError).toBe(false);
    } finally {
      await c.client.close().catch(() => undefined);
      await topo('start-server', '1');
    }
  }, 120_000);

  it('runs the background work on exactly one server and moves it when that server is killed', async () => {
    const states = await until('an elected leader', 15_000, async () => {
      const s = await Promise.all(SERVERS.map(leaderState));
      return s.every(Boolean) && s.filter((x) => x!.is_leader).length === 1 && (s.find((x) => x!.is_leader)!.runs.dialectic_timeout_sweep ?? 0) > 0 ? s : undefined;
    });
    const leaderIndex = states.findIndex((s) => s!.is_leader);
    const follower = 1 - leaderIndex;
    // the follower never ran a sweep
    expect(Object.values(states[follower]!.runs).every((n) => n === 0)).toBe(true);
    await topo('kill-server', String(leaderIndex + 1));
    const started = Date.now();
    const taken = await until('the follower to take over', 15_000, async () => {
      const s = await leaderState(SERVERS[follower]!);
      return s?.is_leader && (s.runs.dialectic_timeout_sweep ?? 0) > 0 ? s : undefined;
    });
    expect(taken.is_leader).toBe(true);
    expect(Date.now() - started).toBeLessThan(15_000);
    await topo('start-server', String(leaderIndex + 1));
    // the restarted server stays a follower
    const back = await until('the restarted server', 30_000, () => leaderState(SERVERS[leaderIndex]!));
    expect(back.is_leader).toBe(false);
  }, 120_000);

  it('serves the MCP flow and the knowledge graph tools through PgBouncer in transaction mode', async () => {
    const c = await connect();
    try {
      const onboarded = await c.call('onboard', { label: 'through pgbouncer' });
      expect(onboarded.isError).toBe(false);
      const a = await c.call('store_knowledge', { summary: 'bouncer insight A', tags: ['bouncer'] });
      const b = await c.call('store_knowledge', { summary: 'bouncer insight B', tags: ['bouncer'] });
      expect([a.isError, b.isError]).toEqual([false, false]);
      const [idA] = a.data.ids as string[];
      const [idB] = b.data.ids as string[];
      const link = await c.call('link_discoveries', { src_id: idA, dst_id: idB, link_type: 'related_to' });
      expect(link).toMatchObject({ isError: false });
      const related = await c.call('related_discoveries', { id: idA });
      expect(related.isError).toBe(false);
      expect(JSON.stringify(related.data)).toContain(idB!);
    } finally {
      await c.client.close().catch(() => undefined);
    }
    // PgBouncer's own counters: the servers' transactions went through it
    const admin = new PgClient({ host: '127.0.0.1', port: BASE + 2, user: 'postgres', database: 'pgbouncer' });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ database: string; total_xact_count: string }>('SHOW STATS');
      const govdb = rows.find((r) => r.database === 'govdb');
      expect(Number(govdb?.total_xact_count)).toBeGreaterThan(20);
      const config = await admin.query<{ key: string; value: string }>('SHOW CONFIG');
      expect(config.rows.find((r) => r.key === 'pool_mode')?.value).toBe('transaction');
    } finally {
      await admin.end();
    }
  }, 60_000);

  it('reports replica lag; a write is read back at once; a stopped replica is skipped and /health says so', async () => {
    type Replicas = { status: string; message: string; replicas: Array<{ up: boolean; usable: boolean; lag_bytes: number | null }> };
    const replicas = async (): Promise<Replicas> => ((await (await fetch(`${HAPROXY}/health`)).json()) as { checks: { replicas: Replicas } }).checks.replicas;
    const current = await until('a usable replica', 15_000, async () => ((await replicas()).status === 'healthy' ? replicas() : undefined));
    expect(current.replicas[0]).toMatchObject({ up: true, usable: true, lag_bytes: expect.any(Number) });
    const metrics = await (await fetch(`http://127.0.0.1:${SERVERS[0]}/metrics`)).text();
    expect(metrics).toMatch(/^govdb_replica_lag_bytes\{replica="[^"]+"\} \d+/m);

    const c = await connect();
    try {
      const onboarded = await c.call('onboard', { label: 'replica reader' });
      const agentId = onboarded.data.agent_id as string;
      const readBack = async () => {
        await c.call('update_agent', { purpose: `purpose ${Date.now()}` });
        const stored = await c.call('store_knowledge', { summary: `read your writes ${Date.now()}` });
        const [id] = stored.data.ids as string[];
        const got = await c.call('get_discovery', { id });
        expect(got).toMatchObject({ isError: false });
        expect(JSON.stringify(got.data)).toContain(id!);
        const agent = await c.call('get_agent', { agent_id: agentId });
        expect(agent.isError).toBe(false);
      };
      const replicaReads = async () => {
        let n = 0;
        for (const port of SERVERS) {
          const h = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { checks: { replicas: { routing: { replicaReads: number } } } };
          n += h.checks.replicas.routing.replicaReads;
        }
        return n;
      };
      const before = await replicaReads();
      for (let i = 0; i < 3; i++) await readBack();
      // read-only calls were served by the replica, and each still saw the write made just before it
      expect(await replicaReads()).toBeGreaterThan(before);

      // a replica that stops replaying (within the lag bound) must not serve a caller its stale data
      const replica = new PgClient({ host: '127.0.0.1', port: BASE + 1, user: 'postgres', database: 'govdb' });
      await replica.connect();
      try {
        await replica.query('select pg_wal_replay_pause()');
        for (let i = 0; i < 3; i++) await readBack();
      } finally {
        await replica.query('select pg_wal_replay_resume()').catch(() => undefined);
        await replica.end();
      }
      await topo('stop-replica');
      try {
        const skipped = await until('the replica to be skipped', 15_000, async () => {
          const r = await replicas();
          return r.status === 'warning' ? r : undefined;
        });
        expect(skipped.message).toMatch(/reads continue from the primary/);
        expect(skipped.replicas[0]).toMatchObject({ up: false, usable: false });
        await readBack();
      } finally {
        await topo('start-replica');
      }
    } finally {
      await c.client.close().catch(() => undefined);
    }
  }, 90_000);

  it('a rolling restart of every server under a constant bounded load fails no call', async () => {
    // bounded: 6 agents, each about one call per second (the default limit is 60 calls/min per agent)
    const clients = await Promise.all(Array.from({ length: 6 }, () => connect()));
    let stop = false;
    let calls = 0;
    const failures: string[] = [];
    const tools = [['identity', {}], ['process_agent_update', { complexity: 0.3, confidence: 0.6, response_length: 80 }], ['get_governance_metrics', {}]] as const;
    const load = clients.map(async (c, w) => {
      const onboarded = await c.call('onboard', { label: `rolling ${w} ${Date.now()}` });
      expect(onboarded.isError).toBe(false);
      for (let i = 0; !stop; i++) {
        const [name, args] = tools[i % tools.length]!;
        try {
          const r = await c.call(name, args);
          if (r.isError) failures.push(`${name}: ${JSON.stringify(r.data)}`);
        } catch (err) {
          failures.push(`${name}: ${(err as Error).message}`);
        }
        calls++;
        await new Promise((r) => setTimeout(r, 1100));
      }
    });
    try {
      await new Promise((r) => setTimeout(r, 1000));
      for (const i of ['1', '2']) await topo('restart-server', i);
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      stop = true;
      await Promise.all(load);
      await Promise.all(clients.map((c) => c.client.close().catch(() => undefined)));
    }
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(30);
  }, 120_000);
});
