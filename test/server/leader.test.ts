import { Leader } from '../../src/server/leader';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

// Leader election on a PostgreSQL session advisory lock held by a dedicated connection (src/db).

let db: TestDatabase;
beforeAll(async () => {
  db = await createMigratedDatabase();
});
afterAll(async () => {
  await db.drop();
});

async function until(what: string, ms: number, check: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('one leader at a time runs the jobs; when it stops, the follower takes over', async () => {
  const runs: string[] = [];
  const make = (name: string) =>
    new Leader({
      url: db.url,
      pollMs: 50,
      lockName: `govdb.test.leader.${db.name}`,
      log: () => undefined,
      jobs: [{ name: 'probe', intervalMs: 30, run: async (conn) => runs.push(`${name}:${(await conn.query<{ one: number }>('select 1 as one')).rows[0]!.one}`) }],
    });
  const a = make('a');
  const b = make('b');
  try {
    a.start();
    await until('a to lead', 5000, () => a.state().isLeader);
    b.start();
    await new Promise((r) => setTimeout(r, 300)); // several polls of b
    expect(b.state()).toMatchObject({ isLeader: false, acquisitions: 0 });
    expect(runs.length).toBeGreaterThan(0);
    expect(new Set(runs)).toEqual(new Set(['a:1']));

    await a.stop();
    expect(a.state().isLeader).toBe(false);
    await until('b to take over', 5000, () => b.state().isLeader);
    await until('b to run its job', 5000, () => runs.includes('b:1'));
    expect(b.state()).toMatchObject({ isLeader: true, acquisitions: 1, lastError: null });
  } finally {
    await a.stop();
    await b.stop();
  }
});

test('a leader whose connection is killed loses leadership and wins it back on a new connection', async () => {
  const lines: string[] = [];
  const leader = new Leader({ url: db.url, pollMs: 50, lockName: `govdb.test.kill.${db.name}`, log: (l) => lines.push(l), jobs: [] });
  try {
    leader.start();
    await until('leadership', 5000, () => leader.state().isLeader);
    await db.pool.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'govdb leader' and datname = $1`, [db.name]);
    await until('a second acquisition', 10_000, () => leader.state().acquisitions === 2 && leader.state().isLeader);
    expect(lines.some((l) => l.startsWith('govdb: leadership lost ('))).toBe(true);
  } finally {
    await leader.stop();
  }
});
