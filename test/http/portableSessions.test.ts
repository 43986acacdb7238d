import { createServer, Server } from 'http';
import { mkdtempSync } from 'fs';
import os from 'os';
import path from 'path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import fc from 'fast-check';
import { loadConfig } from '../../src/config';
import { createHttpApp, HttpApp } from '../../src/http/app';
import { recordFromInitialize } from '../../src/http/sessionRestore';
import { Runtime, startRuntime } from '../../src/server/runtime';
import { RedisServer, freePort } from '../cache/redisServer';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

/**
 * Two HTTP apps with their own session maps over one PostgreSQL and one Redis: two servers as far as
 * MCP sessions go. The client's fetch alternates between them (round robin, no stickiness).
 * Regression of issue 20: "server B answers 404 for A's Mcp-Session-Id".
 */
describe('portable MCP sessions', () => {
  let db: TestDatabase;
  let redis: RedisServer;
  let runtime: Runtime;
  const servers: Array<{ app: HttpApp; http: Server; base: string }> = [];

  beforeAll(async () => {
    db = await createMigratedDatabase();
    redis = await RedisServer.start();
    const env = { DB_POSTGRES_URL: db.url, REDIS_URL: redis.url, GOVDB_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'govdb-portable-')) };
    runtime = await startRuntime(loadConfig(env), { clientName: 'http', log: () => undefined });
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const app = createHttpApp(runtime.deps, { host: '127.0.0.1', port, mcpSessions: runtime.cache.mcpSessions, sessionVerifyMs: 0 });
      const http = createServer(app.app);
      await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', () => resolve()));
      servers.push({ app, http, base: `http://127.0.0.1:${port}` });
    }
  });

  afterAll(async () => {
    for (const s of servers) {
      await s.app.close();
      await new Promise<void>((resolve) => s.http.close(() => resolve()));
    }
    await runtime.close();
    await redis.stop();
    await db.drop();
  });

  /** an SDK client whose every HTTP request goes to the next server in turn; `hits` counts per server */
  async function roundRobinClient(): Promise<{ client: Client; hits: number[] }> {
    const hits = [0, 0];
    let next = 0;
    const fetchRR = (url: string | URL, init?: RequestInit) => {
      const i = next++ % 2;
      hits[i]!++;
      const u = new URL(String(url));
      return fetch(`${servers[i]!.base}${u.pathname}${u.search}`, init);
    };
    const client = new Client({ name: 'portable-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${servers[0]!.base}/mcp`), { fetch: fetchRR }));
    return { client, hits };
  }

  async function post(i: number, sessionId: string, body: object): Promise<Response> {
    return fetch(`${servers[i]!.base}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION },
      body: JSON.stringify(body),
    });
  }

  it('continues a session initialised on one server on the other, with the same agent', async () => {
    const { client, hits } = await roundRobinClient();
    const onboarded = await client.callTool({ name: 'onboard', arguments: { label: 'portable' } });
    const agentId = (onboarded.structuredContent as { agent_id: string }).agent_id;
    for (let i = 0; i < 6; i++) {
      const who = await client.callTool({ name: 'identity', arguments: {} });
      expect(who.structuredContent).toMatchObject({ agent_id: agentId, bound: true, session_id: client.transport!.sessionId });
    }
    expect(hits[0]).toBeGreaterThan(2);
    expect(hits[1]).toBeGreaterThan(2);
    expect(servers[0]!.app.sessionCount()).toBeGreaterThanOrEqual(1);
    expect(servers[1]!.app.sessionCount()).toBeGreaterThanOrEqual(1);
    await client.close();
  });

  it('ends a session everywhere when it is deleted on one server', async () => {
    const { client } = await roundRobinClient();
    await client.callTool({ name: 'identity', arguments: {} });
    await client.callTool({ name: 'identity', arguments: {} }); // now held by both servers
    const sessionId = client.transport!.sessionId!;
    const deleted = await fetch(`${servers[1]!.base}/mcp`, { method: 'DELETE', headers: { 'mcp-session-id': sessionId, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION } });
    expect(deleted.status).toBe(200);
    for (const i of [0, 1]) {
      const res = await post(i, sessionId, { jsonrpc: '2.0', id: 9, method: 'tools/list' });
      expect(res.status).toBe(404);
    }
    expect(await runtime.cache.mcpSessions.load(sessionId)).toBeNull();
    await client.close().catch(() => undefined);
  });

  it('continues a bound session whose shared record Redis lost (failover before replication); an unbound one ends', async () => {
    const { client } = await roundRobinClient();
    const onboarded = await client.callTool({ name: 'onboard', arguments: { label: 'lost record' } });
    const agentId = (onboarded.structuredContent as { agent_id: string }).agent_id;
    const sessionId = client.transport!.sessionId!;
    await runtime.cache.mcpSessions.delete(sessionId); // what a failover to an unsynced replica does
    for (let i = 0; i < 4; i++) {
      const who = await client.callTool({ name: 'identity', arguments: {} });
      expect(who.structuredContent).toMatchObject({ agent_id: agentId, session_id: sessionId });
    }
    const rebuilt = await runtime.cache.mcpSessions.load(sessionId);
    expect(rebuilt).toMatchObject({ protocolVersion: LATEST_PROTOCOL_VERSION }); // from the client's MCP-Protocol-Version header
    await client.close();

    const unbound = await roundRobinClient();
    await unbound.client.callTool({ name: 'identity', arguments: {} });
    const unboundId = unbound.client.transport!.sessionId!;
    await runtime.cache.mcpSessions.delete(unboundId);
    for (const i of [0, 1]) expect((await post(i, unboundId, { jsonrpc: '2.0', id: 3, method: 'tools/list' })).status).toBe(404);
    await unbound.client.close().catch(() => undefined);
  });

  it('answers 404 for a session id no server created', async () => {
    const res = await post(1, '00000000-0000-4000-8000-000000000000', { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(res.status).toBe(404);
  });

  it('refuses to restore a session whose protocol version this server does not support', async () => {
    const sessionId = 'a7f0c7e2-0000-4000-8000-00000000beef';
    await runtime.cache.mcpSessions.save(sessionId, { protocolVersion: '1999-01-01', clientInfo: null, capabilities: {}, createdAt: new Date().toISOString(), initializedBy: 'elsewhere' });
    const res = await post(0, sessionId, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/protocol version 1999-01-01/);
  });

  it('stores the version the SDK negotiates: the client\'s when supported, else the latest', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...SUPPORTED_PROTOCOL_VERSIONS), fc.string()), (requested) => {
        const record = recordFromInitialize({ params: { protocolVersion: requested, capabilities: {}, clientInfo: { name: 'x', version: '1' } } }, 'test-server');
        expect(record.protocolVersion).toBe(SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION);
      }),
    );
  });
});
