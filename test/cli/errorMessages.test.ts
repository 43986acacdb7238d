import { execFile } from 'child_process';
import path from 'path';
import { promisify } from 'util';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { addMigration, copyLedger, ROOT } from '../migrate/ledgerHelpers';

/**
 * The exact wording of the CLI's errors (issue 17, finding 8), from the built `govdb` binary: exit
 * code and what it prints. A change of wording fails here on purpose: update the snapshot in the
 * same change that means it. Per-run values (temp folders) are replaced by placeholders.
 */

const run = promisify(execFile);
const CLI = path.join(ROOT, 'bin', 'govdb.js');

async function cli(args: string[], replace: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let out: { code: number; stdout: string; stderr: string };
  try {
    const { stdout, stderr } = await run('node', [CLI, ...args]);
    out = { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    out = { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
  // the number of files lint reads grows with the ledger
  const clean = (s: string) => Object.entries(replace).reduce((t, [from, to]) => t.split(from).join(to), s).replace(/^\d+ file\(s\) linted/m, '<n> file(s) linted');
  return { code: out.code, stdout: clean(out.stdout), stderr: clean(out.stderr) };
}

describe('CLI error messages', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('migrate: an applied migration whose checksum no longer matches', async () => {
    const file = 'migrations/committed/000002-knowledge-schema.sql';
    const original = (await db.pool.query<{ checksum: string }>(`select checksum from core.schema_migrations where file = $1`, [file])).rows;
    expect(original).toHaveLength(1);
    await db.pool.query(`update core.schema_migrations set checksum = $1 where file = $2`, [`sha1:${'0'.repeat(40)}`, file]);
    try {
      expect(await cli(['migrate', '--database-url', db.url], { [db.name]: '<db>' })).toMatchInlineSnapshot(`
{
  "code": 2,
  "stderr": "govdb: MIGRATION_CHECKSUM_MISMATCH: migrations/committed/000002-knowledge-schema.sql was changed after it was applied: applied checksum sha1:0000000000000000000000000000000000000000, file checksum sha1:a50780d8864940d5f25fc59f4547941f3f0382d8.
hint: Applied migrations are immutable: revert the file to its applied content and put the change in a new migration.
",
  "stdout": "",
}
`);
    } finally {
      await db.pool.query(`update core.schema_migrations set checksum = $1 where file = $2`, [original[0]!.checksum, file]);
    }
  });

  it('migrate: another migrate holds the lock past --lock-timeout', async () => {
    const holder = await db.pool.connect();
    try {
      await holder.query('select pg_advisory_lock($1)', [(0x676f7664_62n).toString()]);
      expect(await cli(['migrate', '--lock-timeout', '200', '--database-url', db.url], { [db.name]: '<db>' })).toMatchInlineSnapshot(`
{
  "code": 2,
  "stderr": "govdb: MIGRATION_LOCK_TIMEOUT: Another govdb migrate held the migration lock for more than 200 ms; nothing was applied.
hint: Wait for the other run to finish, or raise GOVDB_MIGRATE_LOCK_TIMEOUT_MS / --lock-timeout.
",
  "stdout": "",
}
`);
    } finally {
      await holder.query('select pg_advisory_unlock_all()');
      holder.release();
    }
  });

  it('migrate: a malformed option', async () => {
    expect(await cli(['migrate', '--retry-lock', 'often', '--database-url', db.url])).toMatchInlineSnapshot(`
{
  "code": 2,
  "stderr": "govdb: CONFIG_INVALID: --retry-lock must be a non-negative integer, got "often".
",
  "stdout": "",
}
`);
  });

  it('lint: an unsafe migration (exit 1, file:line and rule)', async () => {
    const root = await copyLedger();
    await addMigration(root, 900, 'bad', '-- unsafe on a live database\ncreate index agents_purpose_idx on core.agents (purpose);\n');
    expect(await cli(['lint', '--root', root], { [root]: '<root>' })).toMatchInlineSnapshot(`
{
  "code": 1,
  "stderr": "",
  "stdout": "migrations/committed/000900-bad.sql:6:1: warning: require-concurrent-index-creation: During normal index creation, table updates are blocked, but reads are still allowed.
  help: Use \`concurrently\` to avoid blocking writes.
<n> file(s) linted (committed migrations after 3 and migrations/current.sql); 1 finding(s).
",
}
`);
  });
});
