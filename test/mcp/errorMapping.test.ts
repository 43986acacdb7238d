import { Pool } from 'pg';
import { toGovdbError } from '../../src/db/sqlErrors';
import { asGovdbError, GovdbError, publicErrorBody, scrubMessage } from '../../src/errors';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

/**
 * Constraint violations map by SQLSTATE and constraint name; outages are UNAVAILABLE (issue 12,
 * finding 7). The errors are provoked in a real PostgreSQL, not made up.
 */
describe('database errors → stable codes', () => {
  let db: TestDatabase;
  let pool: Pool;
  beforeAll(async () => {
    db = await createMigratedDatabase();
    pool = db.pool;
    await pool.query(`create table public.t_parent (id int primary key, label text, constraint t_parent_label_check check (label <> ''))`);
    await pool.query(`create table public.t_child (id int primary key, parent_id int constraint t_child_parent_fkey references public.t_parent (id))`);
    await pool.query(`insert into public.t_parent values (1, 'one')`);
    await pool.query(`insert into public.t_child values (1, 1)`);
  });
  afterAll(async () => db.drop());

  const mapped = async (sql: string, params: unknown[] = []): Promise<GovdbError> => {
    const err = await pool.query(sql, params).then(() => null, (e: unknown) => e);
    expect(err).not.toBeNull();
    const out = toGovdbError(err);
    expect(out).toBeInstanceOf(GovdbError);
    return out as GovdbError;
  };

  it('a foreign key pointing at a missing row is NOT_FOUND; deleting a row still referenced is CONFLICT', async () => {
    expect(await mapped(`insert into public.t_child values (2, 99)`)).toMatchObject({ code: 'NOT_FOUND', details: { constraint: 't_child_parent_fkey' } });
    expect(await mapped(`delete from public.t_parent where id = 1`)).toMatchObject({ code: 'CONFLICT', details: { constraint: 't_child_parent_fkey' } });
  });

  it('unique → CONFLICT, check and not-null → INVALID_INPUT, data exceptions (NUL, bad number) → INVALID_INPUT', async () => {
    expect((await mapped(`insert into public.t_parent values (1, 'again')`)).code).toBe('CONFLICT');
    expect((await mapped(`insert into public.t_parent values (2, '')`)).code).toBe('INVALID_INPUT');
    expect((await mapped(`insert into public.t_parent values (null, 'x')`)).code).toBe('INVALID_INPUT');
    expect((await mapped(`select convert_from('\\x00'::bytea, 'UTF8')`)).code).toBe('INVALID_INPUT');
    expect((await mapped(`select 'abc'::int`)).code).toBe('INVALID_INPUT');
  });

  it('a known constraint name gives its field and hint: a taken label is CONFLICT on label', async () => {
    await pool.query(`select * from core.onboard_agent(p_label => 'taken label', p_actor => 'test')`);
    const err = await mapped(`insert into core.agents (id, label, api_key_hash) select 'x-' || gen_random_uuid(), 'Taken Label', api_key_hash from core.agents limit 1`);
    expect(err.code).toBe('CONFLICT');
  });

  it('statement timeouts, cancelled queries and serialization failures are UNAVAILABLE with a retry hint', async () => {
    const client = await pool.connect();
    try {
      await client.query(`set statement_timeout = 50`);
      const err = toGovdbError(await client.query(`select pg_sleep(1)`).catch((e: unknown) => e)) as GovdbError;
      expect(err).toMatchObject({ code: 'UNAVAILABLE', details: { retry_after_ms: expect.any(Number) } });
      expect(err.hint).toMatch(/retry/i);
    } finally {
      await client.query(`reset statement_timeout`);
      client.release();
    }
    const serialization = toGovdbError(Object.assign(new Error('could not serialize access'), { code: '40001' })) as GovdbError;
    expect(serialization.code).toBe('UNAVAILABLE');
  });

  it('an unreachable database is UNAVAILABLE and its message carries no host or port', async () => {
    const dead = new Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', connectionTimeoutMillis: 2000 });
    const raw = await dead.query('select 1').catch((e: unknown) => e);
    await dead.end();
    const err = asGovdbError(toGovdbError(raw));
    expect(err.code).toBe('UNAVAILABLE');
    const body = JSON.stringify(publicErrorBody(err));
    expect(body).not.toMatch(/127\.0\.0\.1|:1\b|ECONNREFUSED/);
    expect(body).toMatch(/retry/i);
  });

  it('public bodies drop causes and scrub addresses and server paths', () => {
    const e = new GovdbError('DB_ERROR', 'failed at postgres://u:p@db.internal:5432/x near /opt/govdb/dist/db/pool.js', { cause: new Error('x'), sqlstate: 'XX000' });
    const body = publicErrorBody(e);
    expect(body).toEqual({ code: 'DB_ERROR', message: 'failed at <address> near <path>' });
    // client errors keep the caller's own values (e.g. a file path it sent)
    expect(scrubMessage('references_files[0] "/src/a.ts" is too long', 'INVALID_INPUT')).toBe('references_files[0] "/src/a.ts" is too long');
    expect(scrubMessage('items[1]: No discovery', 'NOT_FOUND')).toBe('items[1]: No discovery');
  });
});
