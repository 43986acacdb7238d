import { TcpProxy } from '../audit/helpers/tcpProxy';
import { RedisServer } from '../cache/redisServer';
import { BuiltHttpServer, servedEnv, startBuiltHttpServer } from '../helpers/builtServer';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

/**
 * HTTP errors are JSON-RPC, and outages reach clients as UNAVAILABLE (issue 12, findings 6 and 7),
 * against the BUILT server; PostgreSQL is reached through a TCP proxy the test takes down, Redis is
 * a private redis-server process the test kills.
 */

/** What no response body may carry: a stack frame, an absolute path of the install, a database address. */
function assertClean(body: string, pgPort: number): void {
  expect(body).not.toMatch(/\bat .+\(.*:\d+:\d+\)/); // stack frame
  expect(body).not.toMatch(/\/(?:home|work|usr|tmp|opt|root)\//); // absolute paths
  expect(body).not.toMatch(/node_modules/);
  expect(body).not.toMatch(/127\.0\.0\.1|localhost|::1/);
  expect(body).not.toContain(`:${pgPort}`);
  expect(body).not.toMatch(/<html|<!DOCTYPE/i);
}

describe('HTTP errors and outages through the built server', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let redis: RedisServer;
  let server: BuiltHttpServer;

  beforeAll(async () => {
    db = await createMigratedDatabase();
    proxy = await TcpProxy.start(db.url);
    redis = await RedisServer.start();
    server = await startBuiltHttpServer(servedEnv(proxy.url(db.url), { REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '1000' }));
  });
  afterAll(async () => {
    await server?.stop();
    await redis?.stop();
    await proxy?.close();
    await db?.drop();
  });

  const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(server.mcpUrl, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } });

  it('finding 6: a malformed JSON body is a JSON-RPC parse error (-32700), not an HTML page', async () => {
    for (const body of ['{"jsonrpc": "2.0", "method": ', 'not json', '{"a":1}}']) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ jsonrpc: '2.0', error: { code: -32700, message: expect.any(String) }, id: null });
      assertClean(text, proxy.port);
    }
  });

  it('finding 6: a body over 4 MB is 413 with a JSON-RPC body, from Content-Length and from a chunked stream', async () => {
    const big = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"pad":"${'x'.repeat(4 * 1024 * 1024)}"}}`;
    const res = await post(big);
    expect(res.status).toBe(413);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ jsonrpc: '2.0', error: { code: -32600, message: expect.stringMatching(/too large/) }, id: null });
    assertClean(text, proxy.port);
    // no Content-Length: the limit applies while streaming
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        const chunk = new TextEncoder().encode('x'.repeat(1024 * 1024));
        controller.enqueue(new TextEncoder().encode('{"pad":"'));
        for (let i = 0; i < 5; i++) controller.enqueue(chunk);
        controller.enqueue(new TextEncoder().encode('"}'));
        controller.close();
      },
    });
    const chunked = await fetch(server.mcpUrl, { method: 'POST', body: stream, duplex: 'half', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' } } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(JSON.parse(await chunked.text())).toMatchObject({ error: { code: -32600 } });
  });

  it('finding 6: an unknown route is a JSON 404; no response carries a stack, a path or an address', async () => {
    for (const [method, route] of [['GET', '/nope'], ['POST', '/mcp/../../etc/passwd'], ['PUT', '/mcp'], ['GET', '/%E0%A4%A']]) {
      const res = await fetch(`${server.base}${route}`, { method });
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      const text = await res.text();
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(JSON.parse(text)).toMatchObject({ jsonrpc: '2.0', error: { code: expect.any(Number), message: expect.any(String) } });
      assertClean(text, proxy.port);
    }
  });

  it('finding 7: a PostgreSQL outage reaches the client as UNAVAILABLE with a retry hint and no address; it recovers', async () => {
    const client = await server.connect();
    const onboarded = await client.call('onboard', { label: 'outage' });
    expect(onboarded.isError).toBe(false);
    await proxy.down();
    try {
      for (const [tool, args] of [['get_agent', {}], ['process_agent_update', { complexity: 0.1, confidence: 0.9, response_length: 1 }], ['store_knowledge', { summary: 'during the outage' }]] as const) {
        const r = await client.call(tool, args);
        expect({ tool, isError: r.isError, code: r.data.code }).toEqual({ tool, isError: true, code: 'UNAVAILABLE' });
        expect(r.data.hint).toMatch(/retry/i);
        expect(r.data.retry_after_ms).toEqual(expect.any(Number));
        assertClean(JSON.stringify(r.raw), proxy.port);
      }
      const health = await fetch(`${server.base}/health`);
      assertClean(await health.text(), proxy.port);
    } finally {
      await proxy.up();
    }
    let recovered = false;
    for (let i = 0; i < 50 && !recovered; i++) {
      recovered = !(await client.call('get_agent', {})).isError;
      if (!recovered) await new Promise((r) => setTimeout(r, 200));
    }
    expect(recovered).toBe(true);
  });

  it('finding 7: a Redis outage never surfaces as INTERNAL or DB_ERROR, nor an address', async () => {
    const client = await server.connect();
    expect((await client.call('onboard', { label: 'redis outage' })).isError).toBe(false);
    await redis.kill();
    try {
      for (let i = 0; i < 3; i++) {
        const r = await client.call('get_agent', {});
        // the cache layer falls back to memory (docs/redis.md): success, or UNAVAILABLE / UNAUTHENTICATED
        // when the binding is gone, or RATE_LIMITED: the memory limiter starts with the budget spent
        // (limits never fail open, docs/redis.md)
        if (r.isError) expect(['UNAVAILABLE', 'UNAUTHENTICATED', 'RATE_LIMITED']).toContain(r.data.code);
        assertClean(JSON.stringify(r.raw), proxy.port);
      }
    } finally {
      await redis.restart();
    }
  });
});
