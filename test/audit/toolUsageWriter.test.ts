import { ToolUsageWriter } from '../../src/audit/toolUsageWriter';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

/**
 * flush() returns once every row recorded before it is written, also when a flush started by the
 * timer is running and starts the next batch when it ends (CI once read the table between the two).
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await createMigratedDatabase();
});
afterAll(async () => db?.drop());

test('flush waits for the batch a running flush starts after itself', async () => {
  const writer = new ToolUsageWriter(db.pool, { flushIntervalMs: 1 });
  const record = (i: number) => writer.record({ toolName: 'identity', agentId: null, sessionId: `s${i}`, latencyMs: 1, success: true, errorCode: null, occurredAt: new Date() });
  for (let round = 0; round < 20; round++) {
    // 2,500 rows: the timer's flush writes 1,000 and then starts the next 1,000 itself
    for (let i = 0; i < 2500; i++) record(round * 10_000 + i);
    await new Promise((r) => setTimeout(r, 2));
    for (let i = 2500; i < 2600; i++) record(round * 10_000 + i);
    await writer.flush();
    const { rows: [{ n }] } = await db.pool.query(`select count(*)::int as n from audit.tool_usage where session_id like 's%'`);
    expect(n).toBe((round + 1) * 2600);
  }
  await writer.close();
});
