import { promises as fs } from 'fs';
import path from 'path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { BuiltHttpServer, servedEnv, ServedClient, startBuiltHttpServer } from '../helpers/builtServer';

/**
 * Safe retries through the built server (issue 15, finding 3: "commit without delivery"): a client
 * whose call timed out retries with the same request_id and gets the original answer; nothing is
 * written twice; the API key of an onboard is never stored in plaintext.
 */
describe('request_id: safe retries through the built server', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let server: BuiltHttpServer;
  beforeAll(async () => {
    db = await createMigratedDatabase();
    env = servedEnv(db.url);
    server = await startBuiltHttpServer(env);
  });
  afterAll(async () => {
    await server?.stop();
    await db.drop();
  });

  /** a call whose client gives up after 1 ms (the server goes on and commits): the reply is lost */
  async function timedOut(client: ServedClient, name: string, args: Record<string, unknown>): Promise<void> {
    await expect(client.client.callTool({ name, arguments: args }, undefined, { timeout: 1 })).rejects.toThrow(/timed out/i);
  }
  /** A call that must fail with an error result (not a thrown JSON-RPC error): its error body. */
  async function refused(client: ServedClient, name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const r = await client.call(name, args);
    expect(r.isError).toBe(true);
    return r.data;
  }
  const count = async (sql: string, values: unknown[] = []) => (await db.pool.query<{ n: number }>(sql, values)).rows[0]!.n;
  const auditLines = async () => (await fs.readFile(path.join(env.GOVDB_DATA_DIR!, 'audit_log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));

  it('onboard: a retry after a lost reply returns the same agent and API key; one agent, key never stored in plaintext', async () => {
    const client = await server.connect();
    await timedOut(client, 'onboard', { label: 'retry onboard', request_id: 'onboard-1' });
    const retried = await client.call('onboard', { label: 'retry onboard', request_id: 'onboard-1' });
    expect(retried.isError).toBe(false);
    const again = await client.call('onboard', { label: 'retry onboard', request_id: 'onboard-1' });
    expect(again.data).toEqual(retried.data);
    expect(await count(`select count(*)::int as n from core.agents where label = 'retry onboard'`)).toBe(1);
    // the key authenticates, and appears nowhere in the database in plaintext
    const apiKey = retried.data.api_key as string;
    const other = await server.connect();
    const me = await other.call('get_agent', { api_key: apiKey });
    expect(me.data.id).toBe(retried.data.agent_id);
    const stored = await db.pool.query(`select result::text as r, secret_ciphertext from core.idempotency_keys where request_id = 'onboard-1'`);
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0].r).not.toContain(apiKey);
    expect(stored.rows[0].secret_ciphertext).not.toContain(apiKey);
    // one agent_onboarded line, carrying the request_id; the replays are recorded as such
    const lines = (await auditLines()).filter((l) => l.details.request_id === 'onboard-1');
    expect(lines.map((l) => l.event_type).sort()).toEqual(['agent_onboarded', 'request_replayed', 'request_replayed']);
  });

  it('another caller with the same request_id is another request; the same key with other arguments is refused', async () => {
    const a = await server.connect();
    const b = await server.connect();
    const first = await a.call('onboard', { label: 'caller a', request_id: 'shared-key' });
    const second = await b.call('onboard', { label: 'caller b', request_id: 'shared-key' });
    expect(first.isError || second.isError).toBe(false);
    expect(second.data.agent_id).not.toBe(first.data.agent_id);
    const reused = await refused(a, 'onboard', { label: 'caller a, changed', request_id: 'shared-key' });
    expect(reused).toMatchObject({ code: 'CONFLICT', reason: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await count(`select count(*)::int as n from core.agents where label = 'caller a, changed'`)).toBe(0);
    const bad = (await a.client.callTool({ name: 'onboard', arguments: { label: 'x', request_id: 'has space' } })) as CallToolResult;
    expect(bad.isError).toBe(true);
  });

  it('process_agent_update and store_knowledge: same answer, one row each', async () => {
    const client = await server.connect();
    const agent = await client.call('onboard', { label: 'retry updater' });
    const id = agent.data.agent_id as string;
    const update = { complexity: 0.4, confidence: 0.7, response_length: 100, request_id: 'update-1' };
    await timedOut(client, 'process_agent_update', update);
    const retried = await client.call('process_agent_update', update);
    const again = await client.call('process_agent_update', update);
    expect(retried.isError).toBe(false);
    expect(again.data).toEqual(retried.data);
    expect(await count('select count(*)::int as n from core.agent_state where agent_id = $1', [id])).toBe(1);

    const store = { summary: 'retried discovery', request_id: 'store-1' };
    await timedOut(client, 'store_knowledge', store);
    const stored = await client.call('store_knowledge', store);
    expect(stored.isError).toBe(false);
    expect((await client.call('store_knowledge', store)).data).toEqual(stored.data);
    expect(await count(`select count(*)::int as n from knowledge.discoveries where summary = 'retried discovery'`)).toBe(1);
  });

  it('record_outcome (its own transaction becomes a savepoint of the keyed one): same answer, one outcome, one audit line', async () => {
    const client = await server.connect();
    await client.call('onboard', { label: 'retry outcome' });
    const predicted = await client.call('record_prediction', { decision_id: 'retry-decision-1', confidence: 0.8 });
    expect(predicted.isError).toBe(false);
    const outcome = { decision_id: 'retry-decision-1', actual_correct: true, request_id: 'outcome-1' };
    await timedOut(client, 'record_outcome', outcome);
    const retried = await client.call('record_outcome', outcome);
    expect(retried.isError).toBe(false);
    expect((await client.call('record_outcome', outcome)).data).toEqual(retried.data);
    // the outcome entered the calibration bins once (a second application would count it twice)
    expect(await count(`select coalesce(sum(count), 0)::int as n from core.calibration`)).toBe(1);
    const lines = (await auditLines()).filter((l) => l.details.request_id === 'outcome-1');
    expect(lines.map((l) => l.event_type).sort()).toEqual(['calibration_outcome', 'request_replayed', 'request_replayed']);
  });

  it('after the key window an onboard replay says the key was already issued, creates nothing, and the sweep erases the ciphertext', async () => {
    const client = await server.connect();
    const args = { label: 'issued once', request_id: 'onboard-window' };
    const first = await client.call('onboard', args);
    expect(first.isError).toBe(false);
    const key = await db.pool.query(`select caller, secret_ciphertext from core.idempotency_keys where request_id = 'onboard-window'`);
    expect(key.rows[0]).toMatchObject({ caller: expect.stringMatching(/^session:/), secret_ciphertext: expect.any(String) });
    await db.pool.query(`update core.idempotency_keys set secret_expires_at = now() - interval '1 second' where request_id = 'onboard-window'`);
    const replay = await refused(client, 'onboard', args);
    expect(replay).toMatchObject({ code: 'CONFLICT', reason: 'API_KEY_ALREADY_ISSUED' });
    expect(await count(`select count(*)::int as n from core.agents where label = 'issued once'`)).toBe(1);
    const swept = await db.pool.query('select * from core.idempotency_sweep()');
    expect(swept.rows[0].secrets_erased).toBeGreaterThanOrEqual(1);
    expect((await db.pool.query(`select secret_ciphertext from core.idempotency_keys where request_id = 'onboard-window'`)).rows[0].secret_ciphertext).toBeNull();
  });
});
