import { createPool, withRolledBackTransaction, withTransaction } from '../../src/db/pool';
import { sqlState } from '../../src/errors';
import { createEmptyDatabase, TestDatabase } from '../helpers/db';

/**
 * withTransaction composes: on a pool or an idle connection it opens a transaction (with isolation,
 * read only, and retries of serialization failures at the outermost level only); on an open
 * transaction it runs in a savepoint whose failure rolls back only its own writes.
 */
describe('withTransaction', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createEmptyDatabase();
    await db.pool.query('create table t (id int primary key, v int not null)');
  });
  afterAll(async () => {
    await db.drop();
  });
  beforeEach(async () => {
    await db.pool.query('truncate t');
  });
  const ids = async () => (await db.pool.query<{ id: number }>('select id from t order by id')).rows.map((r) => r.id);

  it('nested: a failed savepoint rolls back only its writes, the outer transaction commits the rest', async () => {
    await withTransaction(db.pool, async (tx) => {
      await tx.query('insert into t values (1, 0)');
      await expect(withTransaction(tx, async (inner) => {
        await inner.query('insert into t values (2, 0)');
        throw new Error('inner failed');
      })).rejects.toThrow('inner failed');
      // a nested one inside a nested one commits with the outer transaction
      await withTransaction(tx, (inner) => withTransaction(inner, (innermost) => innermost.query('insert into t values (3, 0)')));
      expect((await tx.query<{ status: string }>(`select 'open' as status`)).rows[0]!.status).toBe('open');
    });
    expect(await ids()).toEqual([1, 3]);
  });

  it('nested: a failing statement inside the savepoint leaves the outer transaction usable', async () => {
    await withTransaction(db.pool, async (tx) => {
      await tx.query('insert into t values (1, 0)');
      await expect(withTransaction(tx, (inner) => inner.query('insert into t values (1, 0)'))).rejects.toMatchObject({ code: '23505' });
      await tx.query('insert into t values (2, 0)');
    });
    expect(await ids()).toEqual([1, 2]);
  });

  it('an outer failure rolls back what nested calls committed to it', async () => {
    await expect(withTransaction(db.pool, async (tx) => {
      await withTransaction(tx, (inner) => inner.query('insert into t values (1, 0)'));
      throw new Error('outer failed');
    })).rejects.toThrow('outer failed');
    expect(await ids()).toEqual([]);
  });

  it('isolation and read only reach the server; a nested call may not ask for more than the outer level', async () => {
    const seen = await withTransaction(db.pool, async (tx) =>
      (await tx.query<{ i: string; r: string }>(`select current_setting('transaction_isolation') as i, current_setting('transaction_read_only') as r`)).rows[0], { isolation: 'repeatable read', readOnly: true });
    expect(seen).toEqual({ i: 'repeatable read', r: 'on' });
    await expect(withTransaction(db.pool, (tx) => tx.query('insert into t values (1, 0)'), { readOnly: true })).rejects.toMatchObject({ code: '25006' });
    await expect(withTransaction(db.pool, (tx) => withTransaction(tx, async () => 1, { isolation: 'serializable' })))
      .rejects.toMatchObject({ code: 'INTERNAL', message: 'A nested transaction asks for serializable but the enclosing transaction runs at read committed.' });
    expect(await withTransaction(db.pool, (tx) => withTransaction(tx, async () => 2, { isolation: 'repeatable read' }), { isolation: 'serializable' })).toBe(2);
  });

  it('repeatable read: two reads in one transaction see one snapshot', async () => {
    await db.pool.query('insert into t values (1, 0)');
    const [a, b] = await withTransaction(db.pool, async (tx) => {
      const first = (await tx.query<{ n: number }>('select count(*)::int as n from t')).rows[0]!.n;
      await db.pool.query('insert into t values (2, 0)'); // another session commits in between
      const second = (await tx.query<{ n: number }>('select count(*)::int as n from t')).rows[0]!.n;
      return [first, second];
    }, { isolation: 'repeatable read', readOnly: true });
    expect([a, b]).toEqual([1, 1]);
    expect(await ids()).toEqual([1, 2]);
  });

  it('retries a serialization failure at the outermost level only, running the whole transaction again', async () => {
    await db.pool.query('insert into t values (1, 0)');
    let outerRuns = 0;
    let innerRuns = 0;
    const result = await withTransaction(db.pool, async (tx) => {
      outerRuns++;
      await tx.query('select v from t where id = 1');
      return withTransaction(tx, async (inner) => {
        innerRuns++;
        // first attempt: another session changes the row after this snapshot → 40001 on update
        if (outerRuns === 1) await db.pool.query('update t set v = v + 100 where id = 1');
        await inner.query('update t set v = v + 1 where id = 1');
        return (await inner.query<{ v: number }>('select v from t where id = 1')).rows[0]!.v;
      });
    }, { isolation: 'repeatable read' });
    expect({ outerRuns, innerRuns, result }).toEqual({ outerRuns: 2, innerRuns: 2, result: 101 });
  });

  it('retries: 0 runs once and surfaces the serialization failure', async () => {
    await db.pool.query('insert into t values (1, 0)');
    let runs = 0;
    const err = await withTransaction(db.pool, async (tx) => {
      runs++;
      await tx.query('select v from t where id = 1');
      await db.pool.query('update t set v = v + 100 where id = 1');
      await tx.query('update t set v = v + 1 where id = 1');
    }, { isolation: 'repeatable read', retries: 0 }).catch((e: unknown) => e);
    expect(sqlState(err)).toBe('40001');
    expect(runs).toBe(1);
  });

  it('on an idle connection: a transaction on it (the caller keeps the connection); inside one begun elsewhere: a savepoint', async () => {
    const client = await db.pool.connect();
    try {
      await withTransaction(client, (tx) => tx.query('insert into t values (1, 0)'));
      expect(client.getTransactionStatus()).toBe('I');
      await client.query('begin');
      await expect(withTransaction(client, async (tx) => {
        await tx.query('insert into t values (2, 0)');
        throw new Error('no');
      })).rejects.toThrow('no');
      await client.query('insert into t values (3, 0)');
      await client.query('commit');
    } finally {
      client.release();
    }
    expect(await ids()).toEqual([1, 3]);
  });

  it('returns connections outside any transaction, also after failures', async () => {
    const pool = createPool(db.url, { max: 1 });
    try {
      await expect(withTransaction(pool, async (tx) => {
        await tx.query('insert into t values (1, 0)');
        await tx.query('select 1/0');
      })).rejects.toMatchObject({ code: '22012' });
      await withTransaction(pool, (tx) => withTransaction(tx, async () => { throw new Error('x'); }).catch(() => undefined));
      const c = await pool.connect();
      expect(c.getTransactionStatus()).toBe('I');
      c.release();
    } finally {
      await pool.end();
    }
    expect(await ids()).toEqual([]);
  });

  it('withRolledBackTransaction never commits, also nested (its savepoint is rolled back)', async () => {
    expect(await withRolledBackTransaction(db.pool, async (tx) => {
      await tx.query('insert into t values (1, 0)');
      return 'done';
    })).toBe('done');
    await expect(withRolledBackTransaction(db.pool, (tx) => tx.query('insert into t values (1, 0)'), { readOnly: true })).rejects.toMatchObject({ code: '25006' });
    await withTransaction(db.pool, async (tx) => {
      await tx.query('insert into t values (2, 0)');
      await withRolledBackTransaction(tx, (inner) => inner.query('insert into t values (3, 0)'));
      // read only inside the savepoint, read-write again after it
      await expect(withRolledBackTransaction(tx, (inner) => inner.query('insert into t values (4, 0)'), { readOnly: true })).rejects.toMatchObject({ code: '25006' });
      await tx.query('insert into t values (5, 0)');
    });
    expect(await ids()).toEqual([2, 5]);
  });
});
