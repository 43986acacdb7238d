import { promises as fs } from 'fs';
import path from 'path';
import { listLogFiles } from '../../src/audit/logFiles';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { BuiltHttpServer, servedEnv, ServedClient, startBuiltHttpServer } from '../helpers/builtServer';

/**
 * Issue 15, finding 1: "after kill -9 of the server under load, calls that had returned success had
 * no governance_decision line". Three times: 8 concurrent clients call process_agent_update against
 * the built server, which is killed with SIGKILL mid-load. Every call that returned success must
 * have its line in audit_log.jsonl (fsynced before the reply) and its row in core.agent_state.
 */
const CLIENTS = 8;
const ROUNDS = 3;
const LOAD_MS = 1500;

describe('acknowledged means durable: SIGKILL under 8 concurrent clients', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('every acknowledged call has its audit line and its row, across three kills', async () => {
    const env = servedEnv(db.url);
    const acked: Array<{ agentId: string; seq: number; round: number }> = [];
    const onboarded: string[] = [];
    const keys: Array<{ agentId: string; apiKey: string }> = [];
    let failedCalls = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const server: BuiltHttpServer = await startBuiltHttpServer(env);
      const clients: ServedClient[] = [];
      if (round === 1) {
        for (let i = 0; i < CLIENTS; i++) {
          const c = await server.connect();
          const r = await c.call('onboard', { label: `kill client ${i}` });
          expect(r.isError).toBe(false);
          onboarded.push(r.data.agent_id as string);
          keys.push({ agentId: r.data.agent_id as string, apiKey: r.data.api_key as string });
          clients.push(c);
        }
      } else {
        for (const k of keys) clients.push(await server.connect({ 'X-Api-Key': k.apiKey }));
      }
      let killed = false;
      const loops = clients.map(async (c, i) => {
        while (!killed) {
          try {
            // a bounded wait: a call cut by the kill must not hang the test
            const r = (await c.client.callTool({ name: 'process_agent_update', arguments: { complexity: 0.3, confidence: 0.6, response_length: 50 + i } }, undefined, { timeout: 10_000 })) as { isError?: boolean; structuredContent?: { seq?: number } };
            if (r.isError) failedCalls++;
            else acked.push({ agentId: keys[i]!.agentId, seq: r.structuredContent!.seq!, round });
          } catch {
            failedCalls++;
            return; // the server is gone
          }
        }
      });
      await new Promise((r) => setTimeout(r, LOAD_MS));
      server.child.kill('SIGKILL');
      killed = true;
      await Promise.all(loops);
      await new Promise((r) => (server.child.exitCode !== null || server.child.signalCode !== null ? r(null) : server.child.once('exit', r)));
      // the transports of a killed server: closing them must not wait for it
      await Promise.all(clients.map((c) => Promise.race([c.close().catch(() => undefined), new Promise((r) => setTimeout(r, 1000))])));
    }

    // the log files as the killed processes left them (a torn last line is not part of the chain)
    const logPath = path.join(env.GOVDB_DATA_DIR!, 'audit_log.jsonl');
    const lines: Array<{ event_type: string; agent_id: string | null; details: Record<string, unknown> }> = [];
    for (const f of await listLogFiles(logPath)) {
      const text = await fs.readFile(f.path, 'utf8');
      for (const l of text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
    }
    const decisions = new Set(lines.filter((l) => l.event_type === 'governance_decision').map((l) => `${l.agent_id}#${l.details.seq}`));
    const rows = await db.pool.query<{ agent_id: string; seq: string }>('select agent_id, seq from core.agent_state');
    const stateRows = new Set(rows.rows.map((r) => `${r.agent_id}#${r.seq}`));

    const missingLines = acked.filter((a) => !decisions.has(`${a.agentId}#${a.seq}`));
    const missingRows = acked.filter((a) => !stateRows.has(`${a.agentId}#${a.seq}`));
    const onboardLines = new Set(lines.filter((l) => l.event_type === 'agent_onboarded').map((l) => l.details.agent_id));
    process.stdout.write(`kill test: ${ROUNDS} SIGKILLs under ${CLIENTS} clients: ${acked.length} acknowledged updates (${[1, 2, 3].map((r) => acked.filter((a) => a.round === r).length).join('/')} per round), ` +
      `${failedCalls} calls cut by the kills, ${decisions.size} governance_decision lines, ${stateRows.size} state rows; ` +
      `acknowledged without line: ${missingLines.length}, without row: ${missingRows.length}\n`);
    expect(acked.length).toBeGreaterThan(ROUNDS * CLIENTS); // the load was real
    expect(missingLines).toEqual([]);
    expect(missingRows).toEqual([]);
    expect(onboarded.filter((id) => !onboardLines.has(id))).toEqual([]);
  }, 90_000);
});
