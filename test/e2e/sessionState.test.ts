import { callFunction, FunctionSpec } from '../../src/db/callFunction';
import { createPool, statementRecoveries, withTransaction } from '../../src/db/pool';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { servedEnv, startBuiltHttpServer, BuiltHttpServer } from '../helpers/builtServer';

/**
 * Session-scoped state survives connection changes (issue 13): a named prepared statement that the
 * backend session already holds (42P05), lost (26000) or holds with a result type a migration changed
 * (0A000 "cached plan must not change result type") is re-prepared, in and out of transactions;
 * a connection killed under the running server is replaced and the next call succeeds.
 */
describe('session-scoped state and connection changes', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase();
  });
  afterAll(async () => db.drop());

  it('42P05: the session already holds the name (another client of the same session prepared it)', async () => {
    const pool = createPool(db.url, { max: 1 });
    try {
      await pool.query(`prepare gv_test_dup as select 1 as n`);
      const before = statementRecoveries.alreadyExists;
      const r = await pool.query({ name: 'gv_test_dup', text: 'select 2 as n', values: [] });
      expect(r.rows).toEqual([{ n: 2 }]);
      expect(statementRecoveries.alreadyExists).toBe(before + 1);
      // and again, now that this client knows it
      expect((await pool.query({ name: 'gv_test_dup', text: 'select 2 as n', values: [] })).rows).toEqual([{ n: 2 }]);
    } finally {
      await pool.end();
    }
  });

  it('26000: the session lost the name (DISCARD ALL / a pooler moved us to another backend)', async () => {
    const pool = createPool(db.url, { max: 1 });
    try {
      expect((await pool.query({ name: 'gv_test_lost', text: 'select $1::int as n', values: [7] })).rows).toEqual([{ n: 7 }]);
      await pool.query('deallocate all');
      const before = statementRecoveries.doesNotExist;
      expect((await pool.query({ name: 'gv_test_lost', text: 'select $1::int as n', values: [8] })).rows).toEqual([{ n: 8 }]);
      expect(statementRecoveries.doesNotExist).toBe(before + 1);
    } finally {
      await pool.end();
    }
  });

  it('inside a transaction: the transaction is retried after the name is fixed', async () => {
    const pool = createPool(db.url, { max: 1 });
    try {
      await pool.query(`prepare gv_test_tx as select 1 as n`);
      let attempts = 0;
      const n = await withTransaction(pool, async (c) => {
        attempts++;
        return (await c.query({ name: 'gv_test_tx', text: 'select 3 as n', values: [] })).rows[0].n;
      });
      expect(n).toBe(3);
      expect(attempts).toBe(2);
    } finally {
      await pool.end();
    }
  });

  describe('0A000: a migration changes a function\'s result columns while the statement is prepared', () => {
    // what a generated wrapper sends (callFunction: named, `select * from schema.fn(...)`)
    const spec: FunctionSpec = { schema: 'gv_stale', name: 'shape', returns: 'row', params: [{ key: 'n', sqlName: 'p_n', sqlType: 'integer', json: false }] };
    const replace = async (columns: 'a' | 'ab') => {
      await db.pool.query('drop function if exists gv_stale.shape(integer)');
      await db.pool.query(columns === 'a'
        ? `create function gv_stale.shape(p_n integer, out a integer) language sql as 'select p_n'`
        : `create function gv_stale.shape(p_n integer, out a integer, out b text) language sql as 'select p_n, ''new'''`);
    };
    beforeAll(async () => {
      await db.pool.query('create schema if not exists gv_stale');
    });
    afterAll(async () => {
      await db.pool.query('drop schema gv_stale cascade');
    });

    it('outside a transaction: deallocated, prepared again and answered with the new columns', async () => {
      await replace('a');
      const pool = createPool(db.url, { max: 1 });
      try {
        expect(await callFunction(pool, spec, { n: 1 })).toEqual({ a: 1 });
        await replace('ab');
        const before = statementRecoveries.resultTypeChanged;
        expect(await callFunction(pool, spec, { n: 2 })).toEqual({ a: 2, b: 'new' });
        expect(statementRecoveries.resultTypeChanged).toBe(before + 1);
        // prepared once more under the same name, the session's copy replaced
        expect(await callFunction(pool, spec, { n: 3 })).toEqual({ a: 3, b: 'new' });
        expect(statementRecoveries.resultTypeChanged).toBe(before + 1);
        const held = await pool.query(`select count(*)::int as n from pg_prepared_statements where statement like '%gv_stale.shape%'`);
        expect(held.rows[0].n).toBe(1);
      } finally {
        await pool.end();
      }
    });

    it('inside a transaction (the wrapper\'s GovdbError): the transaction is retried with the statement prepared afresh', async () => {
      await replace('a');
      const pool = createPool(db.url, { max: 1 });
      try {
        expect(await callFunction(pool, spec, { n: 1 })).toEqual({ a: 1 });
        await replace('ab');
        let attempts = 0;
        const row = await withTransaction(pool, async (tx) => {
          attempts++;
          return callFunction(tx, spec, { n: 4 });
        });
        expect(row).toEqual({ a: 4, b: 'new' });
        expect(attempts).toBe(2);
      } finally {
        await pool.end();
      }
    });

    it('another 0A000 (a permanent refusal) is not retried', async () => {
      const pool = createPool(db.url, { max: 1 });
      try {
        const before = statementRecoveries.resultTypeChanged;
        await expect(pool.query({ name: 'gv_test_0a000', text: 'select count(*) from pg_class for update', values: [] })).rejects.toMatchObject({ code: '0A000' });
        expect(statementRecoveries.resultTypeChanged).toBe(before);
      } finally {
        await pool.end();
      }
    });
  });

  it('GOVDB_PREPARED_STATEMENTS=off (namedStatements false) keeps nothing in the session', async () => {
    const pool = createPool(db.url, { max: 1, namedStatements: false });
    try {
      await pool.query({ name: 'gv_test_unnamed', text: 'select 1 as n', values: [] });
      expect((await pool.query(`select count(*)::int as n from pg_prepared_statements`)).rows[0].n).toBe(0);
    } finally {
      await pool.end();
    }
  });

  describe('the built server when its connections are killed', () => {
    let server: BuiltHttpServer;
    beforeAll(async () => {
      server = await startBuiltHttpServer(servedEnv(db.url, { REDIS_URL: '' }));
    });
    afterAll(async () => server?.stop());

    it('pg_terminate_backend mid-run: the next call succeeds', async () => {
      const client = await server.connect();
      expect((await client.call('onboard', { label: 'killed connections' })).isError).toBe(false);
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 5; i++) {
          expect((await client.call('process_agent_update', { complexity: 0.3, confidence: 0.8, response_length: 100 + i })).isError).toBe(false);
        }
        const killed = await db.pool.query(
          `select count(*)::int as n from (select pg_terminate_backend(pid) from pg_stat_activity
            where datname = current_database() and application_name = 'govdb' and pid <> pg_backend_pid()
              and pid not in (select pid from pg_stat_activity where backend_type <> 'client backend')) t`,
        );
        expect(killed.rows[0].n).toBeGreaterThan(0);
        // the pool learns of the loss from the server's FATAL message on the idle connection
        await new Promise((r) => setTimeout(r, 200));
        const next = await client.call('process_agent_update', { complexity: 0.3, confidence: 0.8, response_length: 999 });
        expect(next).toMatchObject({ isError: false });
        expect((await client.call('get_governance_metrics')).isError).toBe(false);
      }
      expect((await fetch(`${server.base}/health`)).status).toBe(200);
    });
  });
});
