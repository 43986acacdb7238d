import { defaultProjectRoot, LedgerFiles, loadLedgerFiles } from '../../src/db/migrate/ledgerFiles';
import { compareModels } from '../../src/drift/compare';
import { buildDriftReport, DriftReport } from '../../src/drift/drift';
import { buildExpectedModel } from '../../src/drift/expected';
import { introspectDatabase } from '../../src/drift/introspect';
import { checkLedger } from '../../src/drift/ledgerCheck';
import { SchemaModel } from '../../src/drift/model';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

/**
 * Planted drift: each test applies one out-of-band change to a migrated database inside a
 * transaction, reads the model in that transaction, and rolls back; the expected model (the
 * ledger applied to a scratch database) is built once for the file.
 */
describe('govdb drift: planted drift', () => {
  let db: TestDatabase;
  let expected: SchemaModel;
  let files: LedgerFiles;

  beforeAll(async () => {
    db = await createMigratedDatabase();
    expected = await buildExpectedModel(process.env.GOVDB_TEST_DATABASE_URL!);
    files = await loadLedgerFiles(defaultProjectRoot(), db.url);
  });
  afterAll(async () => {
    await db.drop();
  });

  async function inRolledBackTransaction<T>(statements: string[], fn: (client: import('pg').PoolClient) => Promise<T>): Promise<T> {
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      for (const sql of statements) await client.query(sql);
      return await fn(client);
    } finally {
      await client.query('rollback');
      client.release();
    }
  }

  function driftAfter(statements: string[], strict = false): Promise<DriftReport> {
    return inRolledBackTransaction(statements, async (client) =>
      buildDriftReport({
        expected,
        actual: await introspectDatabase(client),
        expectedLabel: 'scratch migrate',
        actualLabel: 'test database',
        ledger: await checkLedger(client, files),
        strict,
      }));
  }

  /** "change kind name [changed fields]" for every difference, in report order. */
  function brief(report: DriftReport): string[] {
    return report.objects.flatMap((g) => g.differences.map((d) =>
      `${d.change} ${d.kind} ${d.name}${d.fields ? ` [${d.fields.map((f) => f.field).join(',')}]` : ''}${d.after?.validated === false ? ' (not valid)' : ''}`));
  }

  async function currentMonthPartition(): Promise<string> {
    const r = await db.pool.query<{ name: string }>(`select 'events_' || to_char(now() at time zone 'UTC', 'YYYY_MM') as name`);
    return r.rows[0]!.name;
  }

  it('reports nothing and exits 0 for a freshly migrated database', async () => {
    const report = await driftAfter([]);
    expect(brief(report)).toEqual([]);
    expect(report.checks.ledger).toMatchObject({ status: 'ok' });
    expect(report.exitCode).toBe(0);
    expect(report.ok).toBe(true);
  });

  it.each([
    ['an added column', [`alter table core.agents add column nickname text`], ['extra column core.agents.nickname']],
    ['a changed default', [`alter table core.agents alter column notes set default 'n/a'`], ['changed column core.agents.notes [default]']],
    ['a dropped NOT NULL', [`alter table core.sessions alter column expires_at drop not null`], ['changed column core.sessions.expires_at [notNull]']],
    ['a dropped index', [`drop index core.agents_tags_idx`], ['missing index core.agents_tags_idx']],
    ['an index that is not valid', [`update pg_index set indisvalid = false where indexrelid = 'core.sessions_expires_idx'::regclass`], ['changed index core.sessions_expires_idx [valid]']],
    ['an edited function body', [`create or replace function core.schema_version() returns integer language sql stable as $$ select max(version) + 0 from core.schema_migrations where kind = 'sql' $$`],
      ['changed function core.schema_version() [body]']],
    ['a changed volatility', [`alter function core.schema_version() volatile`], ['changed function core.schema_version() [volatility]']],
    ['a function made security definer with a search_path', [`alter function core.schema_version() security definer set search_path = core`],
      ['changed function core.schema_version() [config,securityDefiner]']],
    ['an added trigger', [`create trigger agents_touch before update on core.agents for each row execute function core.record_sql_migration()`],
      ['extra trigger core.agents.agents_touch']],
    ['an added enum value', [`alter type core.verdict add value 'unknown'`], ['changed enum core.verdict [values]']],
    ['an extra AGE vertex label', [`select ag_catalog.create_vlabel('governance_graph', 'Intruder')`], ['extra label governance_graph:Intruder']],
    ['a revoked grant', [`revoke execute on function core.schema_version() from public`], ['changed grant function core.schema_version() [PUBLIC]']],
    ['row-level security enabled', [`alter table core.agents enable row level security`], ['changed table core.agents [rowLevelSecurity]']],
    ['an added policy', [`create policy agents_own on core.agents for select using (id = current_user)`], ['extra policy core.agents.agents_own']],
    ['a constraint added NOT VALID', [`alter table core.agents add constraint agents_label_short check (char_length(label) < 100) not valid`],
      ['extra constraint core.agents.agents_label_short (not valid)']],
    ['a deferrable foreign key', [`alter table core.sessions alter constraint sessions_agent_id_fkey deferrable initially deferred`],
      ['changed constraint core.sessions.sessions_agent_id_fkey [deferrable,definition,initiallyDeferred]']],
    ['a changed sequence', [`alter sequence core.schema_migrations_id_seq cache 20`], ['changed sequence core.schema_migrations_id_seq [cache]']],
    ['an added comment', [`comment on column core.agents.notes is 'free text'`], ['extra comment table column core.agents.notes']],
    ['an extra extension', [`create extension if not exists btree_gin`], ['extra extension btree_gin']],
  ])('reports %s and exits 1', async (_what, statements, differences) => {
    const report = await driftAfter(statements);
    expect(brief(report)).toEqual(differences);
    expect(report.exitCode).toBe(1);
  });

  it('reports an added view, and a changed view definition between two databases', async () => {
    const report = await driftAfter([`create view core.live_agents as select id from core.agents where status = 'active'`]);
    expect(brief(report)).toEqual(['extra view core.live_agents', 'extra grant view core.live_agents']);
    expect(report.exitCode).toBe(1);
    const before = await inRolledBackTransaction([`create view core.live_agents as select id from core.agents where status = 'active'`], (c) => introspectDatabase(c));
    const after = await inRolledBackTransaction([`create view core.live_agents as select id, label from core.agents where status = 'active'`], (c) => introspectDatabase(c));
    const changes = compareModels(before, after).groups.flatMap((g) => g.differences);
    expect(changes.map((d) => `${d.change} ${d.kind} ${d.name}`)).toEqual(['changed view core.live_agents']);
    expect(changes[0]!.fields).toEqual([{
      field: 'definition',
      before: `SELECT id FROM core.agents WHERE status = 'active'::core.agent_status`,
      after: `SELECT id, label FROM core.agents WHERE status = 'active'::core.agent_status`,
    }]);
  });

  it('reports an extra schema with its grant', async () => {
    const report = await driftAfter([`create schema rogue`]);
    expect(brief(report)).toEqual(['extra schema rogue', 'extra grant schema rogue']);
  });

  it('reports a detached partition', async () => {
    const report = await driftAfter([`alter table audit.events detach partition audit.events_default`]);
    // PostgreSQL 17 also drops the parent's identity from the detached table's column
    expect(brief(report)).toEqual(['missing partition audit.events_default', 'changed column audit.events_default.id [identity]']);
    expect(report.objects.map((g) => g.object)).toEqual(['table audit.events', 'table audit.events_default']);
    expect(report.exitCode).toBe(1);
  });

  it('compares monthly partitions by pattern: one month that differs from the others is drift', async () => {
    const month = await currentMonthPartition();
    const report = await driftAfter([`alter table audit.${month} alter column source set default 'other'`]);
    expect(brief(report)).toEqual([expect.stringMatching(/^changed column audit\.events_YYYY_MM\.source \[.*variants/)]);
    const extraIndex = await driftAfter([`create index extra_month_idx on audit.${month} (source)`]);
    expect(brief(extraIndex)).toEqual(['extra index audit.extra_month_idx']);
  });

  it('ignores how many monthly partitions exist', async () => {
    const report = await driftAfter([`select audit.ensure_partitions(now() + interval '6 months', 2)`]);
    expect(brief(report)).toEqual([]);
    expect(report.exitCode).toBe(0);
  });

  it('lists kinds it does not model as not compared; --strict fails on them', async () => {
    const statements = [`create domain core.short_text as text check (char_length(value) < 10)`];
    const lenient = await driftAfter(statements);
    expect(brief(lenient)).toEqual([]);
    expect(lenient.notCompared).toEqual([{ kind: 'domain', expected: [], actual: ['core.short_text'] }]);
    expect(lenient.exitCode).toBe(0);
    const strict = await driftAfter(statements, true);
    expect(strict.exitCode).toBe(1);
  });

  it('reports a ledger whose applied checksum disagrees with the file', async () => {
    const report = await driftAfter([
      `update core.schema_migrations set checksum = 'sha256:${'0'.repeat(64)}' where id = (select max(id) from core.schema_migrations where file = 'sql/functions/ledger.sql')`,
    ]);
    expect(brief(report)).toEqual([]);
    expect(report.checks.ledger).toMatchObject({ status: 'drift', items: [{ kind: 'function', file: 'sql/functions/ledger.sql', state: 'changed' }] });
    expect(report.exitCode).toBe(1);
  });
});
