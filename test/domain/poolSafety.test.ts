import { createMigratedDatabase, TestDatabase } from '../helpers/db';

/** A connection released inside a (failed) transaction never reaches the next caller (src/db/pool.ts). */
describe('the pool never hands out a connection inside a transaction', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase();
  });
  afterAll(async () => db.drop());

  it.each([
    ['an open transaction', ['begin']],
    ['a failed transaction', ['begin', 'select 1/0']],
  ])('after %s is released without ROLLBACK, the next query runs outside any transaction', async (_what, statements) => {
    const leaked = await db.pool.connect();
    const pid = (await leaked.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    for (const sql of statements) await leaked.query(sql).catch(() => undefined);
    leaked.release();
    const next = await db.pool.connect();
    try {
      const row = (await next.query<{ pid: number }>(`select pg_backend_pid() as pid`)).rows[0]!;
      expect(row.pid).not.toBe(pid);
      expect(next.getTransactionStatus?.() ?? 'I').toBe('I');
    } finally {
      next.release();
    }
  });
});
