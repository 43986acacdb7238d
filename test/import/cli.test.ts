import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'fs';
import os from 'os';
import path from 'path';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { writeGovernanceDb, writeSupportedShapes } from './fixtures/generate';

const ROOT = path.resolve(__dirname, '../..');

/** `govdb import` as users run it (the built CLI): the report is the output. Needs `npm run build`. */
describe('govdb import CLI output (issue 22 finding 7)', () => {
  let db: TestDatabase;
  let src: string;
  let data: string;
  let cwd: string;
  const cli = (args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin/govdb.js'), 'import', ...args], {
    cwd, encoding: 'utf8', env: { ...process.env, GOVDB_DATA_DIR: data },
  });

  beforeAll(async () => {
    if (!existsSync(path.join(ROOT, 'dist/cli/commands/import.js'))) throw new Error('run npm run build first');
    db = await createMigratedDatabase();
    src = mkdtempSync(path.join(os.tmpdir(), 'govdb-import-cli-src-'));
    data = mkdtempSync(path.join(os.tmpdir(), 'govdb-import-cli-data-'));
    cwd = mkdtempSync(path.join(os.tmpdir(), 'govdb-import-cli-cwd-'));
    writeSupportedShapes(src);
  });
  afterAll(async () => {
    await db.drop();
    for (const d of [src, data, cwd]) rmSync(d, { recursive: true, force: true });
  });

  it('prints the summary table on stdout and diagnostics on stderr; checkpoint and quarantine go to the data directory', () => {
    const r = cli([src, '--database-url', db.url]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^TOTAL$/m);
    expect(r.stdout).toMatch(/^consistency OK$/m);
    expect(r.stderr).not.toMatch(/TOTAL/);
    expect(r.stderr).toMatch(/^reconciliation OK:$/m);
    expect(readdirSync(cwd)).toEqual([]);
    expect(readdirSync(path.join(data, 'import')).sort()).toEqual(['checkpoint.json', 'quarantine.jsonl']);
  });

  it('--json prints the whole report on stdout, and --dry-run reports the counts of the real run', () => {
    const real = cli([src, '--database-url', db.url, '--json']);
    const dry = cli([src, '--database-url', db.url, '--json', '--dry-run']);
    expect([real.status, dry.status]).toEqual([0, 0]);
    const a = JSON.parse(real.stdout);
    const b = JSON.parse(dry.stdout);
    expect(b.dry_run_in_database).toBe(true);
    expect(b.totals).toEqual(a.totals);
  });

  it('exits 5 when a recognised table is not imported, 0 with --allow-skip', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'govdb-import-cli-skip-'));
    try {
      writeGovernanceDb(path.join(dir, 'governance.db'), { unknownTable: true });
      const r = cli([dir, '--database-url', db.url]);
      expect(r.status).toBe(5);
      expect(r.stderr).toMatch(/not imported: .*mystery_things/);
      expect(cli([dir, '--database-url', db.url, '--allow-skip']).status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
