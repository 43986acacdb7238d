import { execFile } from 'child_process';
import fc from 'fast-check';
import { promises as fs } from 'fs';
import path from 'path';
import { promisify } from 'util';
import { loadLedgerFiles } from '../../src/db/migrate/ledgerFiles';
import { migrate } from '../../src/db/migrate/migrate';
import { ITEM_STATES, readLedgerStatus, statusExitCode } from '../../src/db/migrate/status';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { addMigration, calculateHash, copyLedger, lastHash, ROOT } from './ledgerHelpers';

/**
 * Like with like: every checksum the ledger stores is computed the way status and migrate check it,
 * for every graphile-migrate header; headers govdb cannot honour are refused before anything runs.
 */
const run = promisify(execFile);

async function statusOf(db: TestDatabase, root: string) {
  const files = await loadLedgerFiles(root, db.url);
  const status = await readLedgerStatus(db.pool, files);
  return { status, exit: statusExitCode(status) };
}

async function tableExists(db: TestDatabase, name: string): Promise<boolean> {
  return (await db.pool.query(`select to_regclass($1) is not null as present`, [name])).rows[0].present;
}

describe('ledger headers: like with like', () => {
  let db: TestDatabase;
  let root: string;
  beforeEach(async () => {
    db = await createMigratedDatabase();
    root = await copyLedger();
  });
  afterEach(async () => {
    await db.drop();
  });

  it('finding 1: an AllowInvalidHash migration applies, status is then clean, and a later migrate succeeds', async () => {
    // a hand-fixed migration: its Hash header is the hash of the body as first committed
    const previous = await lastHash(root);
    const original = 'create table core.hand_fixed (id int);\n';
    const fixed = 'create table core.hand_fixed (id int primary key);\n';
    const headerHash = calculateHash(original, previous);
    await fs.writeFile(path.join(root, 'migrations/committed/000900-hand-fixed.sql'),
      `--! Previous: ${previous}\n--! Hash: ${headerHash}\n--! Message: hand fixed\n--! AllowInvalidHash\n\n${fixed}`);

    const first = await migrate(db.url, { root });
    expect(first.applied.map((a) => a.file)).toEqual(['migrations/committed/000900-hand-fixed.sql']);
    const { status, exit } = await statusOf(db, root);
    expect(exit).toBe(0);
    expect(status.items.find((i) => i.file.endsWith('000900-hand-fixed.sql'))!.state).toBe('applied');
    expect(status.problems).toEqual([]);
    // graphile-migrate's chain keeps the header hash; our ledger keeps the body's checksum
    const gm = await db.pool.query(`select hash from graphile_migrate.migrations where filename = '000900.sql'`);
    expect(gm.rows[0].hash).toBe(headerHash);
    const ledger = await db.pool.query(`select checksum from core.schema_migrations where version = 900`);
    expect(ledger.rows[0].checksum).toBe(calculateHash(fixed, previous));

    // a later migration chains on the header hash and applies
    await addMigration(root, 901, 'after-hand-fixed', 'create table core.after_hand_fixed (id int);\n');
    const second = await migrate(db.url, { root });
    expect(second.applied.map((a) => a.file)).toEqual(['migrations/committed/000901-after-hand-fixed.sql']);
    expect((await statusOf(db, root)).exit).toBe(0);

    // editing the hand-fixed body after it was applied is still caught
    await fs.appendFile(path.join(root, 'migrations/committed/000900-hand-fixed.sql'), 'create table core.sneaky (id int);\n');
    const after = await statusOf(db, root);
    expect(after.exit).toBe(2);
    expect(after.status.items.find((i) => i.file.endsWith('000900-hand-fixed.sql'))!.state).toBe('changed');
    await expect(migrate(db.url, { root })).rejects.toMatchObject({ code: 'MIGRATION_CHECKSUM_MISMATCH' });
  });

  it('property: any combination of honoured headers applies, is recorded as checked, and leaves status clean', async () => {
    let n = 900;
    await fc.assert(fc.asyncProperty(
      fc.record({
        allowInvalidHash: fc.boolean(),
        noTransaction: fc.boolean(),
        message: fc.option(fc.stringMatching(/^[A-Za-z][A-Za-z0-9 _-]{0,30}$/), { nil: undefined }),
        lockTimeout: fc.option(fc.constantFrom('2s', '500ms', '1min'), { nil: undefined }),
        statementTimeout: fc.option(fc.constantFrom('30s', '1h'), { nil: undefined }),
      }),
      async (h) => {
        n += 1;
        const previous = await lastHash(root);
        const body = `${h.noTransaction ? '--! no-transaction\n' : ''}create table core.prop_${n} (id int);\n`;
        const hash = calculateHash(h.allowInvalidHash ? `select ${n};\n` : body, previous);
        const headers = [`--! Previous: ${previous}`, `--! Hash: ${hash}`];
        if (h.message !== undefined) headers.push(`--! Message: ${h.message}`);
        if (h.allowInvalidHash) headers.push('--! AllowInvalidHash');
        if (h.lockTimeout) headers.push(`--! LockTimeout: ${h.lockTimeout}`);
        if (h.statementTimeout) headers.push(`--! StatementTimeout: ${h.statementTimeout}`);
        await fs.writeFile(path.join(root, `migrations/committed/000${n}-prop.sql`), headers.join('\n') + '\n\n' + body);
        const result = await migrate(db.url, { root });
        expect(result.applied.map((a) => a.file)).toEqual([`migrations/committed/000${n}-prop.sql`]);
        const { status, exit } = await statusOf(db, root);
        expect([exit, status.problems]).toEqual([0, []]);
        expect(await tableExists(db, `core.prop_${n}`)).toBe(true);
        expect((await migrate(db.url, { root })).applied).toEqual([]);
      },
    ), { numRuns: 12 });
  });

  it('accepts an AllowInvalidHash migration recorded with its Hash header (as the graphile-migrate CLI records it)', async () => {
    const previous = await lastHash(root);
    const headerHash = calculateHash('select 1;\n', previous);
    await fs.writeFile(path.join(root, 'migrations/committed/000900-cli-applied.sql'),
      `--! Previous: ${previous}\n--! Hash: ${headerHash}\n--! AllowInvalidHash\n\nselect 2;\n`);
    await migrate(db.url, { root });
    await db.pool.query(`update core.schema_migrations set checksum = $1 where version = 900`, [headerHash]);
    expect((await statusOf(db, root)).exit).toBe(0);
  });

  it('no-transaction: a concurrent index build applies and is recorded like any other migration', async () => {
    await addMigration(root, 900, 'concurrent-index', '--! no-transaction\ncreate index concurrently if not exists agents_purpose_idx on core.agents (purpose);\n');
    const files = await loadLedgerFiles(root, db.url);
    expect(files.sql.find((m) => m.version === 900)!.transaction).toBe(false);
    const result = await migrate(db.url, { root });
    expect(result.applied).toHaveLength(1);
    expect(await tableExists(db, 'core.agents_purpose_idx')).toBe(true);
    const { exit } = await statusOf(db, root);
    expect(exit).toBe(0);
  });

  it.each([
    ['a concurrent index in a transactional migration', 'create index concurrently agents_purpose_idx on core.agents (purpose);\n', /cannot run inside a transaction block, and this migration runs in one/],
    ['a concurrent index next to another statement in a no-transaction migration', '--! no-transaction\ncreate table core.nt_probe (id int);\ncreate index concurrently agents_purpose_idx on core.agents (purpose);\n', /one implicit transaction/],
    ['VACUUM in a transactional migration', 'vacuum core.agents;\n', /VACUUM cannot run inside a transaction block/],
  ])('refuses %s before applying anything (PostgreSQL would refuse it)', async (_name, body, reason) => {
    await addMigration(root, 900, 'valid-first', 'create table core.valid_first (id int);\n');
    await addMigration(root, 901, 'tx-mode', body);
    const err = await migrate(db.url, { root }).catch((e) => e);
    expect(err.code).toBe('MIGRATION_FILE_INVALID');
    expect(err.message).toMatch(reason);
    expect(err.message).toContain('000901-tx-mode.sql');
    expect(await tableExists(db, 'core.valid_first')).toBe(false);
    // ANALYZE may run in a transaction
    const root2 = await copyLedger();
    await addMigration(root2, 900, 'analyze', 'analyze core.agents;\n');
    expect((await migrate(db.url, { root: root2 })).applied).toHaveLength(1);
  });

  it('Message and Previous: the ledger row is named after Message and the chain is checked', async () => {
    await addMigration(root, 900, 'named', 'create table core.named_probe (id int);\n');
    await migrate(db.url, { root });
    const row = (await db.pool.query(`select name, file from core.schema_migrations where version = 900`)).rows[0];
    expect(row).toEqual({ name: 'named', file: 'migrations/committed/000900-named.sql' });
    // a broken chain (wrong Previous) is refused before anything runs
    await fs.writeFile(path.join(root, 'migrations/committed/000901-bad-previous.sql'),
      `--! Previous: sha1:${'0'.repeat(40)}\n--! Hash: ${calculateHash('select 1;\n', `sha1:${'0'.repeat(40)}`)}\n\nselect 1;\n`);
    await expect(migrate(db.url, { root })).rejects.toMatchObject({ code: 'MIGRATION_FILE_INVALID' });
  });

  // Headers govdb cannot honour: each is refused before anything is applied, with the reason.
  const refused: [string, (prev: string) => string, RegExp][] = [
    ['an unknown header', (prev) => `--! Previous: ${prev}\n--! Hash: ${calculateHash('select 1;\n', prev)}\n--! Reviewer: alice\n\nselect 1;\n`, /header "Reviewer".*not one govdb can honour/],
    ['a lower-case header in the header block', (prev) => `--! Previous: ${prev}\n--! Hash: ${calculateHash('select 1;\n', prev)}\n--! lock_timeout: 5s\n\nselect 1;\n`, /not a graphile-migrate header/],
    ['no-transaction after the first body line', (prev) => `--! Previous: ${prev}\n--! Hash: ${calculateHash('select 1;\n--! no-transaction\n', prev)}\n\nselect 1;\n--! no-transaction\n`, /no-transaction.*only as the first line/],
    ['a graphile-migrate 2 include', (prev) => `--! Previous: ${prev}\n--! Hash: ${calculateHash('--!include foo.sql\n', prev)}\n\n--!include foo.sql\n`, /cannot honour/],
    ['a bad LockTimeout value', (prev) => `--! Previous: ${prev}\n--! Hash: ${calculateHash('select 1;\n', prev)}\n--! LockTimeout: soon\n\nselect 1;\n`, /not a duration/],
    ['AllowInvalidHash on a valid hash', (prev) => `--! Previous: ${prev}\n--! Hash: ${calculateHash('select 1;\n', prev)}\n--! AllowInvalidHash\n\nselect 1;\n`, /AllowInvalidHash but its hash is valid/],
    ['a body edited after commit', (prev) => `--! Previous: ${prev}\n--! Hash: ${calculateHash('select 1;\n', prev)}\n\nselect 2;\n`, /does not match its Hash header/],
  ];
  it.each(refused)('refuses %s before applying anything, with the reason', async (_name, text, reason) => {
    // a valid pending migration first: it must not be applied either
    const hash = await addMigration(root, 900, 'valid-first', 'create table core.valid_first (id int);\n');
    await fs.writeFile(path.join(root, 'migrations/committed/000901-refused.sql'), text(hash));
    const err = await migrate(db.url, { root }).catch((e) => e);
    expect(err.code).toBe('MIGRATION_FILE_INVALID');
    expect(err.message).toMatch(reason);
    expect(err.message).toContain('000901-refused.sql');
    expect(await tableExists(db, 'core.valid_first')).toBe(false);
  });

  it('finding 3: an edited applied file is "changed", never "pending"; every file has exactly one state', async () => {
    await fs.appendFile(path.join(root, 'sql/functions/ledger.sql'), '\n-- edited\n');
    await fs.appendFile(path.join(root, 'cypher/0001_governance_graph.cypher'), '// edited\n');
    const { status, exit } = await statusOf(db, root);
    expect(exit).toBe(2);
    const byFile = new Map(status.items.map((i) => [i.file, i.state]));
    expect(byFile.get('sql/functions/ledger.sql')).toBe('changed');
    expect(byFile.get('cypher/0001_governance_graph.cypher')).toBe('changed');
    expect(status.pending).toEqual({ sql: 0, cypher: 0, function: 0 });
    expect(status.changed).toEqual({ sql: 0, cypher: 1, function: 1 });
    // exactly one state per file: the counts add up to the number of items
    const total = (['applied', 'pending', 'changed', 'missing'] as const)
      .reduce((n, state) => n + status[state].sql + status[state].cypher + status[state].function, 0);
    expect(total).toBe(status.items.length);
    expect(new Set(status.items.map((i) => `${i.kind}:${i.file}`)).size).toBe(status.items.length);
    expect(status.items.every((i) => ITEM_STATES.includes(i.state))).toBe(true);

    // a function file alone changed: exit 1 (migrate re-applies it), state still "changed"
    await fs.cp(path.join(ROOT, 'cypher'), path.join(root, 'cypher'), { recursive: true });
    const fnOnly = await statusOf(db, root);
    expect(fnOnly.exit).toBe(1);
    expect(fnOnly.status.changed.function).toBe(1);
    expect(fnOnly.status.pending.function).toBe(0);

    // a removed applied file is "missing"
    await fs.rm(path.join(root, 'cypher/0002_vertex_graphid_indexes.cypher'));
    const missing = await statusOf(db, root);
    expect(missing.status.items.find((i) => i.file === 'cypher/0002_vertex_graphid_indexes.cypher')!.state).toBe('missing');
    expect(missing.status.missing.cypher).toBe(1);
  });

  it('status CLI prints the four categories per kind on the migrated template', async () => {
    const { stdout } = await run('node', [path.join(ROOT, 'bin/govdb.js'), 'status', '--database-url', db.url]);
    expect(stdout).toMatch(/^sql +applied \d+, pending 0, changed 0, missing 0$/m);
    expect(stdout).toMatch(/^cypher +applied \d+, pending 0, changed 0, missing 0$/m);
    expect(stdout).toMatch(/^function +applied \d+, pending 0, changed 0, missing 0$/m);
  });
});
