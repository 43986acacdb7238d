import { execFile } from 'child_process';
import path from 'path';
import { promisify } from 'util';
import { migrate } from '../../src/db/migrate/migrate';
import { previewSql } from '../../src/db/migrate/preview';
import { createEmptyDatabase, createMigratedDatabase, TestDatabase } from '../helpers/db';
import { addMigration, copyLedger, ROOT } from './ledgerHelpers';

const run = promisify(execFile);

describe('govdb migrate --dry-run: statements and the strongest table lock each takes (estimate)', () => {
  it('classifies statement kinds by PostgreSQL\'s parser', async () => {
    const sql = [
      'create table core.t_new (id bigint primary key, agent_id text references core.agents (id));',
      'create index t_idx on core.agents (purpose);',
      'create index concurrently t2_idx on core.agents (notes);',
      'alter table core.agents add column x int;',
      'alter table core.agents add constraint fk foreign key (parent_agent_id) references core.agents (id) not valid;',
      'alter table core.agents validate constraint fk;',
      'insert into core.agents (id) values (\'a;b\');',
      'select count(*) from core.agents;',
      "do $$ begin perform 1; end $$;",
      'create or replace function core.f() returns int language sql as $$ select 1; $$;',
      'lock table core.sessions in share row exclusive mode;',
    ].join('\n');
    const preview = await previewSql(sql, 'probe.sql');
    expect(preview.map((s) => [s.line, s.kind, s.lock, s.table])).toEqual([
      [1, 'CreateStmt', 'SHARE ROW EXCLUSIVE', 'core.agents'],
      [2, 'IndexStmt', 'SHARE', 'core.agents'],
      [3, 'IndexStmt', 'SHARE UPDATE EXCLUSIVE', 'core.agents'],
      [4, 'AlterTableStmt', 'ACCESS EXCLUSIVE', 'core.agents'],
      [5, 'AlterTableStmt', 'SHARE ROW EXCLUSIVE', 'core.agents'],
      [6, 'AlterTableStmt', 'SHARE UPDATE EXCLUSIVE', 'core.agents'],
      [7, 'InsertStmt', 'ROW EXCLUSIVE', 'core.agents'],
      [8, 'SelectStmt', 'ACCESS SHARE', 'core.agents'],
      [9, 'DoStmt', null, null],
      [10, 'CreateFunctionStmt', null, null],
      [11, 'LockStmt', 'SHARE ROW EXCLUSIVE', 'core.sessions'],
    ]);
    expect(preview[6]!.text).toBe("insert into core.agents (id) values ('a;b');".replace(/;$/, ''));
    expect(preview[8]!.note).toMatch(/unknown/);
  });

  describe('on a database', () => {
    let db: TestDatabase;
    beforeEach(async () => {
      db = await createMigratedDatabase();
    });
    afterEach(async () => {
      await db.drop();
    });

    it('prints per pending item its statements, file lines and locks, and applies nothing', async () => {
      const root = await copyLedger();
      await addMigration(root, 900, 'preview', '-- two steps\nalter table core.agents add column zz int;\n\ncreate index zz_idx on core.agents (zz);\n', ['--! LockTimeout: 2s']);
      const result = await migrate(db.url, { root, dryRun: true });
      expect(result.applied).toEqual([]);
      expect(result.preview).toHaveLength(1);
      const item = result.preview![0]!;
      expect(item).toMatchObject({ kind: 'sql', file: 'migrations/committed/000900-preview.sql', transaction: true, strongestLock: 'ACCESS EXCLUSIVE' });
      expect(item.timeouts).toEqual({ lockTimeout: '2s', statementTimeout: '15min' });
      // 4 header lines + blank line: the body starts on line 6
      expect(item.statements.map((s) => [s.line, s.lock, s.text])).toEqual([
        [7, 'ACCESS EXCLUSIVE', 'alter table core.agents add column zz int'],
        [9, 'SHARE', 'create index zz_idx on core.agents (zz)'],
      ]);
      const column = await db.pool.query(`select 1 from information_schema.columns where table_name = 'agents' and column_name = 'zz'`);
      expect(column.rows).toEqual([]);
    });

    it('CLI: an up-to-date database has nothing to preview; bad timeout or retry options exit 2 before anything runs', async () => {
      const cli = (args: string[]) => run('node', [path.join(ROOT, 'bin/govdb.js'), ...args]).then(
        (r) => ({ code: 0, ...r }), (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }));
      const { stdout } = await cli(['migrate', '--dry-run', '--database-url', db.url]);
      expect(stdout).toContain('Nothing to apply');
      const badRetry = await cli(['migrate', '--retry-lock', 'many', '--database-url', db.url]);
      expect([badRetry.code, badRetry.stderr]).toEqual([2, expect.stringMatching(/--retry-lock must be a non-negative integer/)]);
      const badWait = await cli(['migrate', '--lock-wait', 'a while', '--database-url', db.url]);
      expect([badWait.code, badWait.stderr]).toEqual([2, expect.stringMatching(/not a duration/)]);
    });

    it('CLI: prints each pending statement with its lock on an empty database', async () => {
      const empty = await createEmptyDatabase();
      try {
        const { stdout } = await run('node', [path.join(ROOT, 'bin/govdb.js'), 'migrate', '--dry-run', '--database-url', empty.url]);
        expect(stdout).toMatch(/^would apply sql +migrations\/committed\/000001-initial-schema\.sql: one transaction, lock_timeout 5s, statement_timeout 15min, strongest lock /m);
        expect(stdout).toMatch(/^ +\d+ +SHARE on core\.agents +create index agents_status_idx on core\.agents/m);
        expect(stdout).toContain('estimated');
        expect((await empty.pool.query(`select to_regclass('core.agents') as t`)).rows[0].t).toBeNull();
      } finally {
        await empty.drop();
      }
    });
  });
});
