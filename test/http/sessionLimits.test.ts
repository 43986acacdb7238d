import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { BuiltHttpServer, servedEnv, startBuiltHttpServer } from '../helpers/builtServer';
import { metricValue, openSession, rawMcp } from './mcpHttp';

/**
 * Finding 2 of issue 13: sessions never expired, `initialize` was unbounded. The built server now
 * caps live sessions per server (503 MCP_SESSIONS_FULL) and per client address (429
 * MCP_CLIENT_SESSIONS_FULL), rate-limits `initialize` per address (429 RATE_LIMITED), closes idle
 * sessions, and reports it all in /metrics.
 */
describe('HTTP MCP session bounds (built server)', () => {
  let db: TestDatabase;
  let server: BuiltHttpServer;
  beforeAll(async () => {
    db = await createMigratedDatabase();
    server = await startBuiltHttpServer(servedEnv(db.url, {
      REDIS_URL: '',
      GOVDB_MAX_SESSIONS: '4',
      GOVDB_MAX_SESSIONS_PER_CLIENT: '3',
      GOVDB_INITIALIZE_PER_MINUTE: '5',
      GOVDB_SESSION_IDLE_MS: '3000',
    }));
  });
  afterAll(async () => {
    await server?.stop();
    await db.drop();
  });

  const errorOf = (body: string) => (JSON.parse(body) as { error: { data: { code: string; retry_after_seconds: number }; message: string } }).error;
  const metrics = async () => (await fetch(`${server.base}/metrics`)).text();

  it('caps per client, per server and the initialize rate, with stable codes; idle sessions expire', async () => {
    const a = '127.0.0.1';
    const b = '127.0.0.2';
    const mine: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { sessionId, res } = await openSession(server.port, a);
      expect(res.status).toBe(200);
      mine.push(sessionId!);
    }
    const perClient = await openSession(server.port, a);
    expect(perClient.res.status).toBe(429);
    expect(errorOf(perClient.res.body).data.code).toBe('MCP_CLIENT_SESSIONS_FULL');
    expect(perClient.res.headers['retry-after']).toMatch(/^\d+$/);

    const other = await openSession(server.port, b);
    expect(other.res.status).toBe(200);
    const full = await openSession(server.port, b);
    expect(full.res.status).toBe(503);
    expect(errorOf(full.res.body).data.code).toBe('MCP_SESSIONS_FULL');
    expect(metricValue(await metrics(), 'govdb_mcp_sessions')).toBe(4);

    // DELETE frees a place; the initialize rate (5 a minute from one address) still holds
    for (let round = 0; round < 2; round++) {
      expect((await rawMcp(server.port, 'DELETE', undefined, { sessionId: mine.shift()!, localAddress: a })).status).toBe(200);
      const again = await openSession(server.port, a);
      expect(again.res.status).toBe(200);
      mine.push(again.sessionId!);
    }
    expect((await rawMcp(server.port, 'DELETE', undefined, { sessionId: mine.shift()!, localAddress: a })).status).toBe(200);
    const limited = await openSession(server.port, a);
    expect(limited.res.status).toBe(429);
    expect(errorOf(limited.res.body).data.code).toBe('RATE_LIMITED');
    expect(Number(limited.res.headers['retry-after'])).toBeGreaterThan(0);

    let text = await metrics();
    expect(metricValue(text, 'govdb_mcp_session_rejections_total', '{reason="client_cap"}')).toBe(1);
    expect(metricValue(text, 'govdb_mcp_session_rejections_total', '{reason="server_cap"}')).toBe(1);
    expect(metricValue(text, 'govdb_mcp_session_rejections_total', '{reason="initialize_rate"}')).toBe(1);
    expect(metricValue(text, 'govdb_mcp_sessions_closed_total', '{reason="deleted"}')).toBe(3);

    // idle expiry: nothing is used for longer than GOVDB_SESSION_IDLE_MS
    await new Promise((r) => setTimeout(r, 5000));
    text = await metrics();
    expect(metricValue(text, 'govdb_mcp_sessions')).toBe(0);
    expect(metricValue(text, 'govdb_mcp_sessions_closed_total', '{reason="expired"}')).toBe(3);
    const gone = await rawMcp(server.port, 'POST', { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { sessionId: mine[0], localAddress: a });
    expect(gone.status).toBe(404);
    // the other address was not limited by the first one's rate
    expect((await openSession(server.port, b)).res.status).toBe(200);
  }, 60_000);

  it('a session in use does not expire', async () => {
    const { sessionId } = await openSession(server.port, '127.0.0.3');
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      const r = await rawMcp(server.port, 'POST', { jsonrpc: '2.0', id: 10 + i, method: 'tools/list' }, { sessionId, localAddress: '127.0.0.3' });
      expect(r.status).toBe(200);
    }
  }, 30_000);
});
