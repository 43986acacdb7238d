import { execFile } from 'child_process';
import { promises as fs, readdirSync } from 'fs';
import path from 'path';
import { promisify } from 'util';
import { filesToLint, lintMigrations, readLintBaseline } from '../../src/db/migrate/lint';
import { addMigration, copyLedger, ROOT, toCrlf } from './ledgerHelpers';

/** govdb lint: squawk with the project's .squawk.toml over current.sql and the migrations after the baseline. */
const run = promisify(execFile);
const CLI = path.join(ROOT, 'bin', 'govdb.js');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [CLI, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('govdb lint', () => {
  // each listed rule on a small bad migration against an existing table: [rule, statement]
  const bad: [string, string][] = [
    ['require-concurrent-index-creation', 'create index agents_purpose_idx on core.agents (purpose);'],
    ['adding-required-field', 'alter table core.agents add column owner text not null;'],
    ['changing-column-type', 'alter table core.agents alter column purpose type varchar(500);'],
    ['ban-drop-column', 'alter table core.agents drop column notes;'],
    ['constraint-missing-not-valid', 'alter table core.agents add constraint agents_notes_short check (char_length(notes) < 100);'],
  ];

  it.each(bad)('flags %s on a new committed migration, with file:line and the rule, exit 1', async (rule, statement) => {
    const root = await copyLedger();
    const baseline = await readLintBaseline(root);
    // a harmless line first, so the finding's line number is checked
    await addMigration(root, 900, 'bad', `-- a migration that is unsafe on a live database\n${statement}\n`);
    const result = await lintMigrations(root);
    expect(result.files).toContain('migrations/committed/000900-bad.sql');
    const finding = result.findings.find((f) => f.rule === rule);
    // headers (3 lines) + blank line + comment line: the statement is on line 6
    expect(finding).toMatchObject({ file: 'migrations/committed/000900-bad.sql', line: 6, rule });
    const out = await cli(['lint', '--root', root]);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(new RegExp(`^migrations/committed/000900-bad\\.sql:6:\\d+: \\w+: ${rule}: `, 'm'));
    expect(baseline).toBeLessThan(900);
  });

  it('passes every committed migration after the baseline, and current.sql (exit 0)', async () => {
    const baseline = await readLintBaseline(ROOT);
    const committed = readdirSync(path.join(ROOT, 'migrations', 'committed')).filter((f) => /^\d+.*\.sql$/.test(f));
    const expected = committed.filter((f) => parseInt(f, 10) > baseline).map((f) => path.join('migrations', 'committed', f));
    const files = await filesToLint(ROOT, baseline);
    expect(files.filter((f) => f.startsWith('migrations/committed/')).sort()).toEqual(expected.sort());
    const result = await lintMigrations(ROOT);
    expect(result.findings).toEqual([]);
    const out = await cli(['lint', '--json']);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: true, baseline, findings: [] });
  });

  it('lints migrations/current.sql (uncommitted) and skips the migrations up to the baseline', async () => {
    const root = await copyLedger();
    await fs.writeFile(path.join(root, 'migrations', 'current.sql'), '-- work in progress\nalter table core.agents drop column purpose;\n');
    const result = await lintMigrations(root);
    expect(result.files[0]).toBe('migrations/current.sql');
    expect(result.findings).toEqual([expect.objectContaining({ file: 'migrations/current.sql', line: 2, rule: 'ban-drop-column' })]);
    expect(result.files.some((f) => parseInt(path.basename(f), 10) <= result.baseline)).toBe(false);
  });

  it('knows --! no-transaction: a concurrent index is right there, and is flagged inside a transaction', async () => {
    const root = await copyLedger();
    await addMigration(root, 900, 'concurrent', '--! no-transaction\ncreate index concurrently if not exists agents_purpose_idx on core.agents (purpose);\n');
    expect((await lintMigrations(root)).findings).toEqual([]);
    const root2 = await copyLedger();
    // squawk flags it where the transaction is explicit: with another statement in the same file
    await addMigration(root2, 900, 'concurrent', 'create index concurrently if not exists agents_purpose_idx on core.agents (purpose);\nselect 1;\n');
    expect((await lintMigrations(root2)).findings.map((f) => f.rule)).toContain('ban-concurrent-index-creation-in-transaction');
  });

  it('reports a concurrent index that PostgreSQL would refuse for the transaction mode, at its line', async () => {
    const root = await copyLedger();
    await addMigration(root, 900, 'nt-two', '--! no-transaction\n-- two statements run as one implicit transaction\ncreate table core.nt_probe (id int);\n/* the index */\ncreate index concurrently if not exists agents_purpose_idx on core.agents (purpose);\n');
    const findings = (await lintMigrations(root)).findings.filter((f) => f.rule === 'govdb-transaction-mode');
    // 3 headers + blank line; the index is the body's 5th line
    expect(findings).toEqual([expect.objectContaining({ file: 'migrations/committed/000900-nt-two.sql', line: 9, message: expect.stringMatching(/one implicit transaction/) })]);
  });

  it('reports CRLF/BOM files and syntax errors as findings; a missing config is an error (exit 2)', async () => {
    const root = await copyLedger();
    await addMigration(root, 900, 'ok', 'create table core.lint_probe (id bigint primary key);\n');
    const file = path.join(root, 'migrations/committed/000900-ok.sql');
    await fs.writeFile(file, toCrlf(await fs.readFile(file, 'utf8')));
    expect((await lintMigrations(root)).findings.map((f) => f.rule)).toEqual(['govdb-line-endings']);
    await fs.writeFile(path.join(root, 'migrations', 'current.sql'), 'select from;\n');
    expect((await lintMigrations(root)).findings.map((f) => f.rule)).toContain('syntax-error');
    await fs.rm(path.join(root, '.squawk.toml'));
    const out = await cli(['lint', '--root', root]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/LINT_CONFIG_INVALID/);
  });
});
