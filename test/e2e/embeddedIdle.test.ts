import { mkdtempSync } from 'fs';
import os from 'os';
import path from 'path';
import { BuiltHttpServer, ServedClient, servedEnv, startBuiltHttpServer } from '../helpers/builtServer';

/**
 * Finding 1 of issue 13: on the embedded store (PGlite behind pglite-socket: ONE backend session)
 * the pool used to close its only connection after 10 s idle; the replacement landed in the same
 * session, where the named prepared statements still existed → `42P05 already exists` forever.
 */
describe('the embedded store survives idle', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'govdb-embedded-idle-'));
  let server: BuiltHttpServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** `count` calls over sessions of 50 calls each (the per-agent tool_call limit is 60 a minute) */
  async function manyCalls(s: BuiltHttpServer, count: number): Promise<void> {
    let done = 0;
    while (done < count) {
      const client: ServedClient = await s.connect();
      const agent = await client.call('onboard', { label: `idle soak ${done}` });
      expect(agent.isError).toBe(false);
      done++;
      for (let i = 1; i < 50 && done < count; i++, done++) {
        const r = i % 2 ? await client.call('process_agent_update', { complexity: 0.4, confidence: 0.8, response_length: 100 + i }) : await client.call('get_governance_metrics');
        if (r.isError) throw new Error(`call ${done} failed: ${JSON.stringify(r.data)}\n${s.stderr()}`);
      }
      await client.close();
    }
  }

  it('serves after more than the old 10 s idle, then 1,000 calls', async () => {
    server = await startBuiltHttpServer(servedEnv(undefined, { GOVDB_DATA_DIR: dataDir }), [], 170_000);
    const client = await server.connect();
    expect((await client.call('onboard', { label: 'before idle' })).isError).toBe(false);
    expect((await client.call('process_agent_update', { complexity: 0.5, confidence: 0.7, response_length: 500 })).isError).toBe(false);
    await sleep(12_000); // old code: the pool closed its only connection at 10 s
    const after = await client.call('process_agent_update', { complexity: 0.5, confidence: 0.7, response_length: 500 });
    expect(after).toMatchObject({ isError: false });
    expect((await fetch(`${server.base}/health`)).status).toBe(200);
    await manyCalls(server, 1000);
    expect((await fetch(`${server.base}/health`)).status).toBe(200);
  }, 240_000);

  it('recovers named statements when the connection IS replaced (GOVDB_POOL_IDLE_MS=200)', async () => {
    // the knob makes the pool close the connection after 200 ms idle: every pause below replaces it,
    // and the new connection meets the statements the old one prepared in the shared session (42P05)
    server = await startBuiltHttpServer(servedEnv(undefined, { GOVDB_DATA_DIR: dataDir, GOVDB_POOL_IDLE_MS: '200' }), [], 170_000);
    const client = await server.connect();
    expect((await client.call('onboard', { label: 'recycled' })).isError).toBe(false);
    for (let i = 0; i < 5; i++) {
      await sleep(600);
      const r = await client.call('process_agent_update', { complexity: 0.5, confidence: 0.7, response_length: 500 + i });
      expect(r).toMatchObject({ isError: false });
      expect((await client.call('get_governance_metrics')).isError).toBe(false);
    }
    await sleep(600);
    expect((await fetch(`${server.base}/health`)).status).toBe(200);
    // the path above really ran: the server re-prepared after 42P05
    const metrics = await (await fetch(`${server.base}/metrics`)).text();
    const recovered = Number(/govdb_db_statement_recoveries_total\{sqlstate="42P05"\} (\d+)/.exec(metrics)?.[1] ?? 0);
    expect(recovered).toBeGreaterThan(0);
  }, 240_000);
});
