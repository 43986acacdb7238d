import { promises as fs } from 'fs';
import path from 'path';
import { migrate } from '../../src/db/migrate/migrate';
import { createEmptyDatabase, TestDatabase } from '../helpers/db';
import { committedFiles, copyLedger, ROOT } from './ledgerHelpers';

/** Migration agent_activity on a database that already has agents and counters in core.agents. */
describe('migration agent_activity (counters out of the agent row)', () => {
  let db: TestDatabase;
  let before: string;
  beforeAll(async () => {
    db = await createEmptyDatabase();
    // the ledger as it was before: every migration up to the one before agent_activity
    before = await copyLedger();
    const files = await committedFiles(before);
    const at = files.findIndex((f) => f.endsWith('-agent-activity.sql'));
    expect(at).toBeGreaterThan(0);
    for (const f of files.slice(at)) await fs.rm(path.join(before, 'migrations', 'committed', f));
    await migrate(db.url, { root: before });
  });
  afterAll(async () => {
    await db.drop();
    await fs.rm(before, { recursive: true, force: true });
  });

  it('backfills every agent from the superseded columns, and carries later bumps of them', async () => {
    await db.pool.query(`insert into core.agents (id, label, update_count, last_activity_at) values
      ('mig-a', 'mig a', 41, '2025-03-04T05:06:07Z'), ('mig-b', 'mig b', 0, null)`);
    // what the previous process_agent_update did per update
    await db.pool.query(`update core.agents set update_count = update_count + 1, last_activity_at = '2025-03-05T00:00:00Z' where id = 'mig-a'`);
    expect((await db.pool.query(`select to_regclass('core.agent_activity') as t`)).rows[0].t).toBeNull();

    await migrate(db.url, { root: ROOT });
    const rows = async () => (await db.pool.query(
      `select agent_id, update_count::int as n, last_activity_at as at from core.agent_activity order by agent_id`)).rows;
    expect(await rows()).toEqual([
      { agent_id: 'mig-a', n: 42, at: new Date('2025-03-05T00:00:00Z') },
      { agent_id: 'mig-b', n: 0, at: null },
    ]);
    // a server still running the previous function between the migration and the functions step
    await db.pool.query(`update core.agents set update_count = update_count + 1, last_activity_at = '2025-03-06T00:00:00Z' where id = 'mig-b'`);
    expect((await rows())[1]).toEqual({ agent_id: 'mig-b', n: 1, at: new Date('2025-03-06T00:00:00Z') });
    // and the readers return the counters as before
    const got = (await db.pool.query(`select update_count::int as n, last_activity_at as at from core.get_agent('mig-a')`)).rows[0];
    expect(got).toEqual({ n: 42, at: new Date('2025-03-05T00:00:00Z') });
  });
});
