import { execFile } from 'child_process';
import { mkdtempSync, readFileSync } from 'fs';
import os from 'os';
import path from 'path';
import { promisify } from 'util';

const run = promisify(execFile);

/** Smoke check of `npm run bench -- --quick`: every row is produced; no timing is asserted. */
describe('benchmark --quick', () => {
  it('produces every figure with its floor', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'govdb-bench-')), 'quick.json');
    await run(process.execPath, [path.resolve(__dirname, '../../dist/bench/cli.js'), '--quick', '--out', out], {
      env: { ...process.env, GOVDB_BENCH_DATABASE_URL: process.env.GOVDB_TEST_DATABASE_URL, REDIS_URL: process.env.GOVDB_TEST_REDIS_URL },
      maxBuffer: 1 << 22,
    });
    const results = JSON.parse(readFileSync(out, 'utf8'));
    const names = results.paired.map((r: { name: string }) => r.name);
    for (const expected of ['session lookup (redis mode)', 'session lookup (memory mode)', 'agent metadata read, uncached (one call)', 'agent metadata read, cached (redis)', 'agent metadata read, Redis tier only (in-process tier off)',
      'onboard (agent, key hash, session, event, AGE vertex)', 'process_agent_update (full EISV step, one txn)', 'full-text search (query mix, limit 20)',
      'AGE MATCH one Discovery by id', 'related within 2 hops (AGE)', 'audit append on the request path', 'audit append, acknowledged (fsynced) — one producer']) {
      expect(names).toContain(expected);
    }
    for (const r of results.paired) {
      expect(r.op.n).toBeGreaterThan(0);
      expect(r.floor.n).toBe(r.op.n);
      expect(Number.isFinite(r.ratioP50)).toBe(true);
    }
    // the server's durability is recorded (the tests' server is not durable: such a run cannot write docs figures)
    expect(results.server.settings).toEqual(expect.objectContaining({ fsync: expect.any(String), synchronous_commit: expect.any(String), full_page_writes: expect.any(String) }));
    expect(typeof results.server.durable).toBe('boolean');
    expect(results.cpuPerUpdate.calls).toBeGreaterThan(0);
    expect(results.cpuPerUpdate.nodeMsPerCall).toBeGreaterThan(0);
    expect(results.concurrency.levels.map((l: { clients: number }) => l.clients)).toEqual([1, 4, 16]);
    for (const l of results.concurrency.levels) expect(l.updatesPerSec).toBeGreaterThan(0);
    expect(results.concurrency.sameAgent).toMatchObject({ seqGapless: true });
    expect(results.concurrency.sameAgent.rows).toBe(results.concurrency.sameAgent.completed);
    expect(results.metadataInvalidationMs.n).toBeGreaterThan(0);
    expect(results.import.rows).toBeGreaterThan(0);
    expect(results.audit.mirrorEventsPerSec).toBeGreaterThan(0);
    expect(results.audit.mirrorFloorRowsPerSec).toBeGreaterThan(0);
    expect(results.audit.durableEventsPerSec).toBeGreaterThan(0);
    expect(results.audit.rawFsyncsPerSec).toBeGreaterThan(0);
    expect(results.migrateFromEmptyMs.n).toBe(1);
    // the mixed MCP workload through the built HTTP server: one level in --quick, every call answered
    expect(results.mixed.levels).toHaveLength(1);
    expect(results.mixed.levels[0].ops).toBeGreaterThan(0);
    expect(results.mixed.levels[0].errors).toBe(0);
    expect(results.mixed.levels[0].serverPeakRssMb).toBeGreaterThan(0);
  }, 300_000);

  it('--growth runs its documented command at small sizes', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'govdb-bench-')), 'growth.json');
    await run(process.execPath, [path.resolve(__dirname, '../../dist/bench/cli.js'), '--growth', '--quick', '--growth-discoveries', '1000', '--growth-states', '100:1000', '--out', out], {
      env: { ...process.env, GOVDB_BENCH_DATABASE_URL: process.env.GOVDB_TEST_DATABASE_URL, REDIS_URL: process.env.GOVDB_TEST_REDIS_URL },
      maxBuffer: 1 << 22,
    });
    const { growth } = JSON.parse(readFileSync(out, 'utf8'));
    expect(growth.knowledge.map((k: { discoveries: number }) => k.discoveries)).toEqual([1000]);
    expect(growth.state).toEqual([expect.objectContaining({ agents: 100, stateRows: 1000 })]);
    for (const r of [growth.knowledge[0].search, growth.knowledge[0].twoHop, growth.state[0].latest, growth.state[0].history]) {
      expect(r.op.n).toBeGreaterThan(0);
      expect(r.floor.n).toBe(r.op.n);
    }
  }, 300_000);
});
