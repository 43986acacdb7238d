import { BuiltHttpServer, SERVED_ADMIN_TOKEN, servedEnv, startBuiltHttpServer } from '../helpers/builtServer';

/**
 * The dashboard on the embedded store (what `npm start` on a fresh clone runs): the API keeps
 * answering after the pool's connection would have gone idle (PGlite has one backend session, where
 * a reopened connection found its named prepared statements still present: 42P05), and the live
 * channel, which polls core.dashboard_changes() there (no second session to LISTEN on), reports an
 * MCP update within 2 s.
 */
jest.setTimeout(120_000);

describe('dashboard on the embedded store', () => {
  let server: BuiltHttpServer;
  beforeAll(async () => {
    const env = servedEnv(undefined);
    delete env.REDIS_URL;
    server = await startBuiltHttpServer(env, ['--migrate']);
  });
  afterAll(async () => {
    await server?.stop();
  });
  const auth = { Authorization: `Bearer ${SERVED_ADMIN_TOKEN}` };

  it('answers after the connection sat idle past the pool idle timeout', async () => {
    expect((await fetch(`${server.base}/dashboard/api/fleet`, { headers: auth })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 11_000));
    const again = await fetch(`${server.base}/dashboard/api/fleet`, { headers: auth });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { health: { store: string } }).health.store).toBe('embedded');
    expect(server.stderr()).not.toMatch(/42P05/);
  });

  it('pushes a change event for an MCP update within 2 s', async () => {
    const controller = new AbortController();
    const res = await fetch(`${server.base}/dashboard/api/live`, { headers: auth, signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = '';
    const client = await server.connect();
    const onboarded = await client.call('onboard', { label: 'embedded live' });
    expect(onboarded.isError).toBe(false);
    const t0 = Date.now();
    expect((await client.call('process_agent_update', { complexity: 0.3, confidence: 0.7, response_length: 100 })).isError).toBe(false);
    while (!/"agent_state"/.test(received)) {
      const { value, done } = await Promise.race([reader.read(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no agent_state change within 2 s; got: ${received}`)), 2000 - (Date.now() - t0)))]);
      if (done) break;
      received += value;
    }
    expect(Date.now() - t0).toBeLessThan(2000);
    controller.abort();
  });
});
