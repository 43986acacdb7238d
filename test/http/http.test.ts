import { createServer, request, Server } from 'http';
import { AddressInfo } from 'net';
import { mkdtempSync } from 'fs';
import os from 'os';
import path from 'path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { loadConfig } from '../../src/config';
import { createHttpApp, HttpApp } from '../../src/http/app';
import { Runtime, startRuntime } from '../../src/server/runtime';
import { TcpProxy } from '../audit/helpers/tcpProxy';
import { RedisServer, eventually, freePort } from '../cache/redisServer';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

describe('HTTP: Streamable HTTP MCP, /health, /metrics', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let redis: RedisServer;
  let runtime: Runtime;
  let http: Server;
  let app: HttpApp;
  let base: string;

  beforeAll(async () => {
    db = await createMigratedDatabase();
    proxy = await TcpProxy.start(db.url);
    redis = await RedisServer.start();
    const env = {
      DB_POSTGRES_URL: proxy.url(db.url),
      REDIS_URL: redis.url,
      REDIS_COMMAND_TIMEOUT_MS: '1000',
      GOVDB_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'govdb-http-')),
    };
    runtime = await startRuntime(loadConfig(env), { clientName: 'http', log: () => undefined });
    const port = await freePort();
    app = createHttpApp(runtime.deps, { host: '127.0.0.1', port });
    http = createServer(app.app);
    await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app.close();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await proxy.up();
    await runtime.close();
    await redis.stop();
    await proxy.close();
    await db.drop();
  });

  async function mcpClient(): Promise<Client> {
    const client = new Client({ name: 'http-test', version: '0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    return client;
  }

  it('serves two MCP sessions on one server, each bound to its own agent', async () => {
    const a = await mcpClient();
    const b = await mcpClient();
    const ra = await a.callTool({ name: 'onboard', arguments: { label: 'HTTP A' } });
    const rb = await b.callTool({ name: 'onboard', arguments: { label: 'HTTP B' } });
    const idA = (ra.structuredContent as { agent_id: string }).agent_id;
    const idB = (rb.structuredContent as { agent_id: string }).agent_id;
    expect(idA).not.toBe(idB);
    expect((await a.callTool({ name: 'identity', arguments: {} })).structuredContent).toMatchObject({ agent_id: idA });
    expect((await b.callTool({ name: 'identity', arguments: {} })).structuredContent).toMatchObject({ agent_id: idB });
    expect(app.sessionCount()).toBeGreaterThanOrEqual(2);
    await a.close();
    await b.close();
  });

  it('refuses foreign Host and Origin headers and unknown sessions', async () => {
    // fetch cannot override Host, so this one goes through node's http client
    const hostStatus = await new Promise<number>((resolve, reject) => {
      const req = request(`${base}/health`, { headers: { Host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(hostStatus).toBe(403);
    expect((await fetch(`${base}/health`, { headers: { Origin: 'http://evil.example' } })).status).toBe(403);
    const r = await fetch(`${base}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': 'nope' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    expect(r.status).toBe(404);
  });

  it('/metrics is Prometheus text with tool, pool, cache and audit series', async () => {
    const r = await fetch(`${base}/metrics`);
    expect(r.status).toBe(200);
    const text = await r.text();
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?[0-9.e+-]+|NaN|[+-]Inf$/);
    }
    expect(text).toMatch(/govdb_tool_calls_total\{tool="onboard",outcome="ok"\} \d+/);
    expect(text).toMatch(/govdb_db_pool_connections\{state="total"\} \d+/);
    expect(text).toMatch(/govdb_cache_mode\{mode="redis"\} 1/);
    expect(text).toMatch(/govdb_audit_queue_depth \d+/);
  });

  it('/metrics names follow Prometheus naming: one govdb_ prefix, base units, _total on counters only', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => ({ name: m[1]!, type: m[2]! }));
    expect(types.length).toBeGreaterThan(20);
    for (const { name, type } of types) {
      expect(name).toMatch(/^govdb_[a-z0-9_]+$/);
      expect(name).not.toMatch(/^govdb_(process_process|nodejs_nodejs|govdb)_/);
      expect(name).not.toMatch(/_(ms|milliseconds|kb|mb|kilobytes|megabytes|minutes|hours)(_|$)/);
      if (type === 'counter') expect(name).toMatch(/_total$/);
      else expect([name, type]).not.toEqual([expect.stringMatching(/_total$/), type]);
    }
    const names = types.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining([
      'govdb_process_cpu_user_seconds_total', 'govdb_process_resident_memory_bytes', 'govdb_nodejs_heap_size_used_bytes',
      'govdb_tool_calls_total', 'govdb_tool_latency_seconds', 'govdb_mcp_sessions', 'govdb_mcp_session_rejections_total',
      'govdb_db_statement_recoveries_total', 'govdb_audit_mirrored_lines_total',
    ]));
  });

  it('/health: healthy or moderate normally; moderate with Redis down; critical with PostgreSQL down', async () => {
    const ok = await fetch(`${base}/health`);
    expect(ok.status).toBe(200);
    const body = (await ok.json());
    expect(['healthy', 'moderate']).toContain(body.status);
    expect(body.checks.cache).toMatchObject({ status: 'healthy', mode: 'redis' });
    expect(Object.keys(body.status_breakdown).sort()).toEqual(['deprecated', 'error', 'healthy', 'unavailable', 'warning']);

    await redis.kill();
    // the cache layer notices on its next command or probe
    await runtime.cache.sessions.lookup('probe-session-0001').catch(() => undefined);
    await eventually(async () => ((await (await fetch(`${base}/health`)).json())).checks.cache.mode === 'memory', 'memory mode');
    const degraded = await fetch(`${base}/health`);
    expect(degraded.status).toBe(200);
    expect((await degraded.json())).toMatchObject({ status: 'moderate', checks: { cache: { status: 'warning', mode: 'memory' } } });

    await proxy.down();
    const critical = await fetch(`${base}/health`);
    expect(critical.status).toBe(503);
    const cbody = (await critical.json());
    expect(cbody.status).toBe('critical');
    expect(cbody.checks.postgres.status).toBe('error');
    expect(cbody.status_breakdown.error).toBeGreaterThanOrEqual(1);

    await proxy.up();
    await redis.restart();
    await eventually(async () => (await fetch(`${base}/health`)).status === 200, 'recovery');
  });
});
