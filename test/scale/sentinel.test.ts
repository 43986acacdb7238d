import { execFile } from 'child_process';
import os from 'os';
import path from 'path';
import { promisify } from 'util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/**
 * The FULL topology (Redis primary + replica + 3 Sentinels): kill the Redis primary under load; no
 * call fails, no binding is lost, the servers follow the new primary and report redis mode again.
 * Heavy (a second layout), so it runs only with GOVDB_TEST_FULL_TOPOLOGY=1 (docs/deploy.md); CI runs
 * the reduced topology (topology.test.ts).
 */
const run = promisify(execFile);
const SCRIPT = path.resolve(__dirname, '..', '..', 'scripts', 'topology.sh');
const BASE = 28100 + (process.pid % 20) * 50; // below the ephemeral port range
const ENV = { ...process.env, GOVDB_TOPO_BASE: String(BASE), GOVDB_TOPO_DIR: path.join(os.tmpdir(), `govdb-topo-full-${BASE}`) };
const topo = (...args: string[]) => run('bash', [SCRIPT, ...args], { env: ENV, timeout: 240_000 });
const redisCli = async (...args: string[]) => (await run('redis-cli', args)).stdout.trim();

const maybe = process.env.GOVDB_TEST_FULL_TOPOLOGY === '1' ? describe : describe.skip;

maybe('full topology: Redis Sentinel failover under load', () => {
  beforeAll(async () => {
    await topo('down').catch(() => undefined);
    await topo('up');
  }, 300_000);
  afterAll(async () => {
    await topo('down');
  }, 120_000);

  it('keeps every session binding and every call through a failover of the Redis primary', async () => {
    const sessions = await Promise.all(Array.from({ length: 4 }, async (_, w) => {
      const client = new Client({ name: 'sentinel-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${BASE + 40}/mcp`)));
      const r = (await client.callTool({ name: 'onboard', arguments: { label: `sentinel ${w} ${Date.now()}` } })) as CallToolResult;
      return { client, agentId: (r.structuredContent as { agent_id: string }).agent_id };
    }));
    const masterPort = async () => (await redisCli('-p', String(BASE + 20), 'SENTINEL', 'get-master-addr-by-name', 'govdb')).split('\n')[1];
    const before = await masterPort();
    expect(before).toBe(String(BASE + 10));
    let stop = false;
    const failures: string[] = [];
    let calls = 0;
    const load = sessions.map(async (s) => {
      while (!stop) {
        try {
          const r = (await s.client.callTool({ name: 'identity', arguments: {} })) as CallToolResult;
          if ((r.structuredContent as { agent_id?: string })?.agent_id !== s.agentId) failures.push(JSON.stringify(r).slice(0, 200));
        } catch (err) {
          failures.push((err as Error).message);
        }
        calls++;
        await new Promise((r) => setTimeout(r, 1100)); // within the default 60 calls/min per agent
      }
    });
    const pid = (await redisCli('-p', String(BASE + 10), 'INFO', 'server')).match(/process_id:(\d+)/)![1]!;
    process.kill(Number(pid), 'SIGKILL');
    const started = Date.now();
    while ((await masterPort()) === before && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 200));
    expect(await masterPort()).toBe(String(BASE + 11));
    await new Promise((r) => setTimeout(r, 5000)); // keep calling on the new primary
    stop = true;
    await Promise.all(load);
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(20);
    for (const port of [BASE + 30, BASE + 31]) {
      const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { checks: { cache: { message: string } } };
      expect(health.checks.cache.message).toBe('redis mode');
    }
    await Promise.all(sessions.map((s) => s.client.close().catch(() => undefined)));
  }, 120_000);
});
