import { ChildProcess, execFileSync, spawn } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'fs';
import os from 'os';
import path from 'path';
import { writeLegacyJsonl } from '../../src/import/bench';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

const ROOT = path.resolve(__dirname, '../..');
const LINES = 200_000;

/** The CLI is spawned from dist/: rebuild it when a source of the importer is newer than the build. */
function ensureBuilt(): void {
  const built = path.join(ROOT, 'dist/cli/commands/import.js');
  const newest = (dir: string): number => Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) =>
    e.isDirectory() ? newest(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).mtimeMs));
  if (existsSync(built) && statSync(built).mtimeMs >= newest(path.join(ROOT, 'src/import'))) return;
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
  } catch {
    // tsc emits even when another module has a type error; the import is checked below
  }
  if (!existsSync(built)) throw new Error('dist/cli/commands/import.js was not built: run npx tsc -p tsconfig.build.json');
}

function run(args: string[]): ChildProcess {
  return spawn(process.execPath, [path.join(ROOT, 'bin/govdb.js'), 'import', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
}

describe('govdb import: killed mid-file, then --resume', () => {
  let db: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    ensureBuilt();
    db = await createMigratedDatabase();
    dir = mkdtempSync(path.join(os.tmpdir(), 'govdb-import-resume-'));
    await writeLegacyJsonl(path.join(dir, 'tool_usage.jsonl'), LINES, { auditEvery: 10 });
  }, 120_000);
  afterAll(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('continues from the checkpoint without duplicates or gaps', async () => {
    const checkpoint = path.join(dir, 'cp.json');
    const common = ['--database-url', db.url, '--checkpoint', checkpoint, '--quarantine', path.join(dir, 'q.jsonl'), '--batch-size', '2000'];
    const source = path.join(dir, 'tool_usage.jsonl');
    const first = run([source, ...common]);
    const firstExit = exited(first);
    // kill as soon as the first batch is committed and checkpointed
    const state = () => {
      try {
        return JSON.parse(readFileSync(checkpoint, 'utf8')).files[source]?.passes?.audit;
      } catch {
        return undefined;
      }
    };
    for (let i = 0; i < 600 && !(state()?.next_index > 0); i++) await new Promise((r) => setTimeout(r, 50));
    first.kill('SIGKILL');
    const killed = await firstExit;
    expect(killed.signal).toBe('SIGKILL');
    const atKill = state();
    expect(atKill.done).toBe(false);
    expect(atKill.next_index).toBeGreaterThan(0);
    expect(atKill.next_index).toBeLessThan(LINES);

    const partial = Number((await db.pool.query(`select count(*) n from audit.tool_usage`)).rows[0].n);
    expect(partial).toBeGreaterThan(0);

    const second = await exited(run([source, ...common, '--resume', '--report', path.join(dir, 'r.json')]));
    expect({ code: second.code, stderr: second.code === 0 ? '' : second.stderr }).toEqual({ code: 0, stderr: '' });
    const report = JSON.parse(readFileSync(path.join(dir, 'r.json'), 'utf8'));
    expect(report.files[0].resumed_from.audit.index).toBeGreaterThanOrEqual(atKill.next_index);

    const counts = (await db.pool.query(`
      select (select count(*) from audit.tool_usage) + (select count(*) from audit.events) as rows,
             (select count(distinct content_hash) from audit.tool_usage) + (select count(distinct content_hash) from audit.events) as distinct_hashes,
             (select count(*) from audit.tool_usage_hashes) + (select count(*) from audit.event_hashes) as hash_rows`)).rows[0];
    expect({ rows: Number(counts.rows), distinct: Number(counts.distinct_hashes), hashes: Number(counts.hash_rows) }).toEqual({ rows: LINES, distinct: LINES, hashes: LINES });
    expect(JSON.parse(readFileSync(checkpoint, 'utf8')).files[source].passes.audit.done).toBe(true);
  }, 180_000);
});
