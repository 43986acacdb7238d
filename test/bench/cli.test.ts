import { execFile } from 'child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import os from 'os';
import path from 'path';
import { promisify } from 'util';
import { compareRuns } from '../../src/bench/compare';
import { docsEligibility, FIGURES_BEGIN, FIGURES_END, writeFigures } from '../../src/bench/docs';
import { PairedResult } from '../../src/bench/measure';
import { BenchResults, isDurable } from '../../src/bench/results';

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '../../dist/bench/cli.js');

const paired = (name: string, ratio: number): PairedResult => ({
  name, floorName: 'SELECT 1',
  op: { n: 10, p50: ratio * 0.1, p95: ratio * 0.2, p99: ratio * 0.3, mean: ratio * 0.1 },
  floor: { n: 10, p50: 0.1, p95: 0.2, p99: 0.3, mean: 0.1 },
  ratioP50: ratio, ratioPairedMedian: ratio, throughputPerSec: 100,
});

const settings = (fsync: string, synchronousCommit: string, fpw = 'on') => ({ fsync, synchronous_commit: synchronousCommit, full_page_writes: fpw, wal_sync_method: 'fdatasync' });

function results(over: Partial<BenchResults> = {}): BenchResults {
  return {
    date: '2026-11-30T01:00:00.000Z', quick: false,
    machine: { cpus: 2, cpuModel: 'test', memoryGb: 1, node: 'v20', platform: 'Linux' },
    versions: { govdb: '0', postgres: '17', age: '1.5.0', redis: '7' },
    server: { url: 'postgres://127.0.0.1:1/postgres', durable: true, settings: settings('on', 'on') },
    knowledge: { discoveries: 10, edges: 20, generateMs: 1, projectMs: 1 },
    paired: [paired('op a', 2)],
    audit: { mirrorEventsPerSec: 1, mirrorLines: 1 },
    import: { lines: 1, rows: 1, ms: 1, rowsPerSec: 1, peakRssMb: 1 },
    migrateFromEmptyMs: { n: 1, p50: 1, p95: 1, p99: 1, mean: 1 },
    ...over,
  };
}

describe('npm run bench -- …', () => {
  it('--help prints the usage and starts nothing (finding 6)', async () => {
    const { stdout } = await run(process.execPath, [CLI, '--help'], { env: { ...process.env, GOVDB_BENCH_DATABASE_URL: 'postgres://127.0.0.1:1/none' }, timeout: 20_000 });
    expect(stdout).toMatch(/Usage: npm run bench --/);
    for (const option of ['--quick', '--compare', '--docs', '--from', '--out']) expect(stdout).toContain(option);
  });

  it('an unknown option is an error with the usage, not a run', async () => {
    const err = await run(process.execPath, [CLI, '--qiuck'], { env: { ...process.env, GOVDB_BENCH_DATABASE_URL: 'postgres://127.0.0.1:1/none' }, timeout: 20_000 }).catch((e) => e);
    expect(err.code).toBe(1);
    expect(err.stderr).toMatch(/unknown option '--qiuck'/);
  });

  it('--from with --docs refuses a non-durable run and leaves the docs untouched', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'govdb-bench-cli-'));
    const file = path.join(dir, 'full.json');
    writeFileSync(file, JSON.stringify(results({ server: { url: 'x', durable: false, settings: settings('off', 'off', 'off') } })));
    const before = readFileSync(path.resolve(__dirname, '../../docs/performance.md'), 'utf8');
    const err = await run(process.execPath, [CLI, '--from', file, '--docs'], { timeout: 20_000 }).catch((e) => e);
    expect(err.code).toBe(1);
    expect(err.stderr).toMatch(/not durable \(fsync=off, synchronous_commit=off/);
    expect(readFileSync(path.resolve(__dirname, '../../docs/performance.md'), 'utf8')).toBe(before);
  });
});

describe('durability and docs figures', () => {
  it('a server is durable only with fsync, synchronous_commit (not off/local) and full_page_writes on', () => {
    expect(isDurable(settings('on', 'on'))).toBe(true);
    expect(isDurable(settings('on', 'remote_apply'))).toBe(true);
    expect(isDurable(settings('off', 'on'))).toBe(false);
    expect(isDurable(settings('on', 'off'))).toBe(false);
    expect(isDurable(settings('on', 'local'))).toBe(false);
    expect(isDurable(settings('on', 'on', 'off'))).toBe(false);
  });

  it('only a full durable run may write the figures, which replace the marked section alone', () => {
    expect(docsEligibility(results({ quick: true }))).toMatchObject({ ok: false, reason: expect.stringMatching(/smoke run/) });
    expect(docsEligibility(results({ server: { url: 'x', durable: false, settings: settings('off', 'off') } }))).toMatchObject({ ok: false });
    const doc = path.join(mkdtempSync(path.join(os.tmpdir(), 'govdb-bench-doc-')), 'performance.md');
    writeFileSync(doc, `# P\n\nhand-written\n\n${FIGURES_BEGIN}\nold figures\n${FIGURES_END}\n\nmore prose\n`);
    expect(() => writeFigures(doc, results({ quick: true }), 'bench/results/x.json')).toThrow(/Refusing/);
    writeFigures(doc, results(), 'bench/results/full-x.json');
    const text = readFileSync(doc, 'utf8');
    expect(text).not.toContain('old figures');
    expect(text).toContain('hand-written');
    expect(text).toContain('more prose');
    expect(text).toContain('| op a | 0.200 |');
    expect(text).toContain('fsync=on, synchronous_commit=on');
  });

  it('docs/performance.md has the generated section that --docs rewrites', () => {
    const doc = readFileSync(path.resolve(__dirname, '../../docs/performance.md'), 'utf8');
    const begin = doc.indexOf(FIGURES_BEGIN);
    expect(begin).toBeGreaterThan(0);
    expect(doc.indexOf(FIGURES_END)).toBeGreaterThan(begin);
  });

  it('--compare reports the ratio change of every operation against the previous run', () => {
    const lines = compareRuns(results({ paired: [paired('op a', 2), paired('gone', 1)] }), results({ paired: [paired('op a', 1.5), paired('new op', 3)] }), 'bench/results/full-old.json');
    expect(lines[0]).toMatch(/against bench\/results\/full-old.json/);
    expect(lines.find((l) => l.includes('op a'))).toMatch(/×2\.00 → ×1\.50\s+-25%/);
    expect(lines.find((l) => l.includes('new op'))).toMatch(/\(new\)/);
    expect(lines.find((l) => l.includes('gone'))).toMatch(/not measured/);
  });
});
