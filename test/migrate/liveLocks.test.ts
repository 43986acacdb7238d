import { PoolClient } from 'pg';
import { migrate } from '../../src/db/migrate/migrate';
import { durationMs, resolveTimeouts } from '../../src/db/migrate/timeouts';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { addMigration, copyLedger } from './ledgerHelpers';

/** Safe on a live database: a migration waiting for a table lock gives up instead of queueing everyone. */
describe('migrations on a live database', () => {
  let db: TestDatabase;
  let holder: PoolClient;
  let root: string;
  beforeEach(async () => {
    db = await createMigratedDatabase();
    root = await copyLedger();
    // needs ACCESS EXCLUSIVE on core.agents
    await addMigration(root, 900, 'agents-column', 'alter table core.agents add column zz_probe integer;\n');
    holder = await db.pool.connect();
    // an application transaction that has read core.agents and is still open: holds ACCESS SHARE
    await holder.query('begin');
    await holder.query('select count(*) from core.agents');
  });
  afterEach(async () => {
    await holder.query('rollback').catch(() => undefined);
    holder.release();
    await db.drop();
  });

  it('fails with MIGRATION_LOCK_TIMEOUT while another session holds a conflicting lock, and application queries keep running', async () => {
    const migration = migrate(db.url, { root, timeouts: { lockTimeout: '1s' } }).then(
      () => ({ ok: true as const }),
      (err) => ({ ok: false as const, err, at: process.hrtime.bigint() }),
    );
    // wait until the migration is queued for its lock
    for (let i = 0; i < 100; i++) {
      const waiting = await db.pool.query(`select count(*)::int as n from pg_locks l join pg_class c on c.oid = l.relation
        where c.relname = 'agents' and l.mode = 'AccessExclusiveLock' and not l.granted`);
      if (waiting.rows[0].n) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    // an application read issued behind the waiting migration completes (once the migration gives up)
    const app = db.pool.query('select count(*)::int as n from core.agents').then((r) => ({ n: r.rows[0].n, at: process.hrtime.bigint() }));
    const failed = await migration;
    const read = await app;
    expect(failed.ok).toBe(false);
    if (failed.ok) return;
    expect(failed.err.code).toBe('MIGRATION_LOCK_TIMEOUT');
    expect(failed.err.message).toContain('migrations/committed/000900-agents-column.sql');
    expect(failed.err.message).toContain('lock_timeout 1s');
    expect(failed.err.details.lock).toBe('table');
    // the holder still holds its lock: the migration gave up, it did not outwait it
    expect((await holder.query('select count(*)::int as n from core.agents')).rows[0].n).toBe(read.n);
    // nothing of the migration remains, and writes keep working
    const column = await db.pool.query(`select 1 from information_schema.columns where table_schema = 'core' and table_name = 'agents' and column_name = 'zz_probe'`);
    expect(column.rows).toEqual([]);
    expect((await db.pool.query(`select count(*)::int as n from core.schema_migrations where version = 900`)).rows[0].n).toBe(0);
    await db.pool.query(`insert into core.agents (id, label) values ('live-lock-probe', 'live lock probe')`);
  });

  it('--retry-lock retries with backoff and applies once the lock is free', async () => {
    const retries: number[] = [];
    const release = setTimeout(() => void holder.query('commit'), 1500);
    try {
      const result = await migrate(db.url, {
        root, timeouts: { lockTimeout: '300ms' }, retryLock: 8, retryBaseMs: 200,
        onRetry: (_item, attempt) => retries.push(attempt),
      });
      expect(result.applied.map((a) => a.file)).toEqual(['migrations/committed/000900-agents-column.sql']);
      expect(retries.length).toBeGreaterThanOrEqual(1);
      expect(retries).toEqual(retries.map((_, i) => i + 1));
    } finally {
      clearTimeout(release);
    }
  });

  it('a per-file LockTimeout header overrides the default, and the statement_timeout applies', async () => {
    const root2 = await copyLedger();
    await addMigration(root2, 900, 'agents-column', 'alter table core.agents add column zz_probe integer;\n', ['--! LockTimeout: 200ms']);
    const err = await migrate(db.url, { root: root2, timeouts: { lockTimeout: '1h' } }).catch((e) => e);
    expect(err.code).toBe('MIGRATION_LOCK_TIMEOUT');
    expect(err.message).toContain('lock_timeout 200ms');
    await holder.query('commit');
    const root3 = await copyLedger();
    await addMigration(root3, 900, 'slow', 'select pg_sleep(2);\n', ['--! StatementTimeout: 100ms']);
    const slow = await migrate(db.url, { root: root3 }).catch((e) => e);
    expect(slow.code).toBe('MIGRATION_STATEMENT_TIMEOUT');
    expect(slow.message).toContain('statement_timeout 100ms');
  });

  it('timeouts: documented defaults, variables, then options; bad values refused', () => {
    expect(resolveTimeouts({}, {})).toEqual({ lockTimeout: '5s', statementTimeout: '15min' });
    expect(resolveTimeouts({}, { GOVDB_MIGRATE_LOCK_WAIT: '2s' }).lockTimeout).toBe('2s');
    expect(resolveTimeouts({ lockTimeout: '750ms' }, { GOVDB_MIGRATE_LOCK_WAIT: '2s' }).lockTimeout).toBe('750ms');
    expect(() => resolveTimeouts({ statementTimeout: 'forever' }, {})).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(/not a duration/) }));
    expect(durationMs('15min')).toBe(900_000);
    expect(durationMs('0')).toBe(0);
    expect(durationMs('5 seconds')).toBeNull();
  });
});
