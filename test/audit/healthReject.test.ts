import { promises as fs } from 'fs';
import path from 'path';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { BuiltHttpServer, servedEnv, startBuiltHttpServer } from '../helpers/builtServer';
import { handMadeLine, waitFor } from './helpers/audit';

/**
 * Issue 15, finding 2, through the built server: a log that already holds the poison line
 * (`pause_agent {"reason": "lone \ud800 surrogate"}` as an older writer wrote it). The mirror records
 * it and goes on; later events reach audit.events; /health names the line.
 */
describe('a line PostgreSQL refuses does not stall the mirror of the built server', () => {
  let db: TestDatabase;
  let server: BuiltHttpServer;
  beforeAll(async () => {
    db = await createMigratedDatabase();
  });
  afterAll(async () => {
    await server?.stop();
    await db.drop();
  });

  it('records the reject, mirrors the lines after it, and /health names file and line', async () => {
    const env = servedEnv(db.url);
    const first = handMadeLine({ n: 1 }, '2026-01-01T00:00:00.000Z');
    const poison = handMadeLine({ reason: 'lone \ud800 surrogate' }, '2026-01-01T00:00:01.000Z', JSON.parse(first).hash);
    // a rotated file: the server continues the chain after it and its mirror reads it first
    await fs.writeFile(path.join(env.GOVDB_DATA_DIR!, 'audit_log.000001.jsonl'), `${first}\n${poison}\n`);
    server = await startBuiltHttpServer(env);
    const client = await server.connect();
    const onboarded = await client.call('onboard', { label: 'after the poison line' });
    expect(onboarded.isError).toBe(false);
    const rows = async () => (await db.pool.query<{ n: number }>(`select count(*)::int as n from audit.events where event_type = 'agent_onboarded' and agent_id = $1`, [onboarded.data.agent_id])).rows[0]!.n;
    await waitFor('the event after the poison line to be mirrored', async () => (await rows()) === 1, 20_000);
    // the input itself never reaches the log: the MCP boundary refuses a lone surrogate,
    // naming the field (issue 12), and nothing is written
    const refused = await client.call('pause_agent', { reason: 'lone \ud800 surrogate' });
    expect(refused).toMatchObject({ isError: true, data: { code: 'INVALID_INPUT', field: 'reason' } });
    expect((await db.pool.query(`select count(*)::int as n from audit.events where event_type = 'agent_paused' and agent_id = $1`, [onboarded.data.agent_id])).rows[0].n).toBe(0);
    expect((await client.call('get_agent', {})).data).toMatchObject({ status: 'active' });
    const health = (await (await fetch(`${server.base}/health`)).json()) as { checks: { audit: Record<string, unknown> } };
    expect(health.checks.audit).toMatchObject({
      status: 'warning',
      message: expect.stringMatching(/1 audit line\(s\) could not be loaded .*newest audit_log\.000001\.jsonl:2: PostgreSQL cannot load it: .*unpaired surrogate/),
      mirror_rejects: 1,
      last_mirror_reject: { file_name: 'audit_log.000001.jsonl', line_no: 2 },
    });
  });
});
