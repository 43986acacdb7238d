import { TcpProxy } from '../audit/helpers/tcpProxy';
import { RedisServer } from '../cache/redisServer';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { BuiltHttpServer, servedEnv, startBuiltHttpServer } from '../helpers/builtServer';

/**
 * Findings 5 and 6 of issue 13: /health tells the present. An empty, correctly configured install
 * is `healthy` (Redis not configured is information, not a warning; no calibration data is not a
 * warning); a component that fails and recovers is reported healthy again within 15 s, with no
 * latched error (the audit mirror's last error included).
 */
type Health = { status: string; checks: Record<string, { status: string; message: string; [k: string]: unknown }> };

describe('/health tells the present (built server)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase();
  });
  afterAll(async () => db.drop());

  const health = async (s: BuiltHttpServer): Promise<{ code: number; body: Health }> => {
    const r = await fetch(`${s.base}/health`);
    return { code: r.status, body: (await r.json()) as Health };
  };
  /** polls until `ok`; returns how long it took */
  const within = async (ms: number, check: () => Promise<boolean>, what: string): Promise<number> => {
    const t0 = Date.now();
    while (!(await check())) {
      if (Date.now() - t0 > ms) throw new Error(`${what} did not happen within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return Date.now() - t0;
  };

  it('an empty install without Redis is healthy, the cache shown as memory mode', async () => {
    const server = await startBuiltHttpServer(servedEnv(db.url, { REDIS_URL: '' }));
    try {
      const { code, body } = await health(server);
      expect(code).toBe(200);
      expect(body.status).toBe('healthy');
      expect(body.checks.cache).toMatchObject({ status: 'healthy', mode: 'memory' });
      expect(body.checks.calibration).toMatchObject({ status: 'healthy', message: 'no calibration data yet' });
      for (const [name, c] of Object.entries(body.checks)) expect([name, c.status]).toEqual([name, 'healthy']);
    } finally {
      await server.stop();
    }
  });

  it('Redis killed → moderate (configured but unreachable); restarted → healthy within 15 s. PostgreSQL cut under load → critical; back → healthy within 15 s', async () => {
    const redis = await RedisServer.start();
    const proxy = await TcpProxy.start(db.url);
    const server = await startBuiltHttpServer(servedEnv(proxy.url(db.url), { REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '500' }));
    let stop = false;
    try {
      expect((await health(server)).body.status).toBe('healthy');

      await redis.kill();
      const client = await server.connect();
      await client.call('onboard', { label: 'health under faults' }).catch(() => undefined); // the cache layer notices on use or by its probe
      await within(15_000, async () => (await health(server)).body.checks.cache?.status === 'warning', 'cache warning');
      const degraded = await health(server);
      expect(degraded.code).toBe(200);
      expect(degraded.body.status).toBe('moderate');
      expect(degraded.body.checks.cache).toMatchObject({ mode: 'memory', configured: true });

      await redis.restart();
      const redisMs = await within(15_000, async () => (await health(server)).body.status === 'healthy', 'healthy after Redis restart');
      expect(redisMs).toBeLessThan(15_000);

      // PostgreSQL goes away while calls (and their audit lines) keep coming
      const load = (async () => {
        while (!stop) {
          await client.call('process_agent_update', { complexity: 0.3, confidence: 0.8, response_length: 100 }).catch(() => undefined);
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      await new Promise((r) => setTimeout(r, 500));
      await proxy.down();
      await within(15_000, async () => (await health(server)).code === 503, 'critical');
      expect((await health(server)).body.checks.postgres?.status).toBe('error');
      await new Promise((r) => setTimeout(r, 2000));
      await proxy.up();
      const pgMs = await within(15_000, async () => (await health(server)).body.status === 'healthy', 'healthy after PostgreSQL recovery');
      stop = true;
      await load;
      expect(pgMs).toBeLessThan(15_000);
      const after = await health(server);
      expect(after.body.checks.audit).toMatchObject({ status: 'healthy', last_error: null });
    } finally {
      stop = true;
      await server.stop();
      await proxy.up();
      await proxy.close();
      await redis.stop();
    }
  }, 120_000);
});
