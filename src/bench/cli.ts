import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import os from 'os';
import path from 'path';
import { migrate } from '../db/migrate/migrate';
import { writeLegacyJsonl } from '../import/bench';
import { benchAudit, benchKnowledge, benchMetadataInvalidation, benchSessions, benchUpdateCpu, benchWrites, BenchContext } from './benches';
import { compareRuns, previousCommittedFullRun, readResults } from './compare';
import { buildProgram, Options } from './cliOptions';
import { benchConcurrency } from './concurrency';
import { docsEligibility, writeFigures } from './docs';
import { benchGrowth } from './growth';
import { benchMixed } from './mixed';
import { distribution, formatRow, PairedResult, timeIt } from './measure';
import { BenchResults, isDurable, ServerDurability } from './results';
import { benchDatabase, dropDatabase, generateKnowledge, recreateDatabase, redisUrl, ROOT, serverUrl } from './setup';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- package.json lies outside rootDir, so it cannot be imported
const VERSION: string = require('../../package.json').version;

const log = (line: string) => process.stderr.write(line + '\n');

async function durability(pool: { query: (q: string) => Promise<{ rows: Array<{ name: string; setting: string }> }> }): Promise<ServerDurability> {
  const { rows } = await pool.query(`select name, setting from pg_settings where name in ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method')`);
  const get = (n: string) => rows.find((r) => r.name === n)?.setting ?? 'unknown';
  return { fsync: get('fsync'), synchronous_commit: get('synchronous_commit'), full_page_writes: get('full_page_writes'), wal_sync_method: get('wal_sync_method') };
}

async function runBenchmark(opts: Options): Promise<{ results: BenchResults; file: string } | null> {
  const quick = opts.quick;
  const server = serverUrl();
  const redis = redisUrl();
  const iterations = quick ? 60 : 1000;
  const sizes = quick ? { agents: 50, discoveries: 2_000, edges: 4_000, seed: 0.42 } : { agents: 500, discoveries: 100_000, edges: 200_000, seed: 0.42 };
  const importLines = quick ? 20_000 : 1_000_000;
  const concurrencySeconds = opts.concurrencySeconds ?? (quick ? 1 : 10);

  log(`bench: ${quick ? 'quick (smoke) run: figures are not meaningful' : 'full run'}; PostgreSQL ${server.replace(/\/\/[^@]*@/, '//')}`);
  if (opts.auditOnly) {
    // only the audit trail benches (durable appends beside their raw fsync floor, mirror throughput)
    const { pool } = await benchDatabase(server, `govdb_bench_${process.pid}`);
    try {
      const a = await benchAudit({ pool, redisUrl: redis, iterations, quick });
      for (const r of [a.append, a.durable]) process.stdout.write(formatRow(r) + '\n');
      process.stdout.write(`audit acknowledged (fsynced before the reply): p50 added ${a.durable.op.p50.toFixed(3)} ms (raw write+fdatasync p50 ${a.durable.floor.p50.toFixed(3)} ms); ${Math.round(a.durableEventsPerSec)} acknowledged events/s with ${a.durableProducers} producers vs ${Math.round(a.rawFsyncsPerSec)} raw fdatasyncs/s\n`);
      process.stdout.write(`audit mirror into PostgreSQL: ${Math.round(a.mirrorEventsPerSec)} events/s (${a.mirrorLines} lines); floor (same rows, plain INSERT per 2000 into an unindexed table) ${Math.round(a.mirrorFloorRowsPerSec)} rows/s, ratio ×${(a.mirrorFloorRowsPerSec / a.mirrorEventsPerSec).toFixed(2)}\n`);
    } finally {
      await pool.end();
      await dropDatabase(server, `govdb_bench_${process.pid}`).catch(() => undefined);
    }
    return null;
  }
  if (opts.sessionsOnly) {
    const { pool } = await benchDatabase(server, `govdb_bench_${process.pid}`);
    try {
      for (const r of await benchSessions({ pool, redisUrl: redis, iterations, quick })) process.stdout.write(formatRow(r) + '\n');
    } finally {
      await pool.end();
      await dropDatabase(server, `govdb_bench_${process.pid}`).catch(() => undefined);
    }
    return null;
  }
  if (opts.growth || opts.mixed || opts.updates) return runPartial(opts, server, redis);
  const migrateSamples: number[] = [];
  for (let i = 0; i < (quick ? 1 : 3); i++) {
    const url = await recreateDatabase(server, `govdb_bench_migrate_${process.pid}`);
    migrateSamples.push(await timeIt(() => migrate(url, { root: ROOT })));
  }
  await dropDatabase(server, `govdb_bench_migrate_${process.pid}`);
  log(`bench: migrate from empty p50 ${distribution(migrateSamples).p50.toFixed(0)} ms`);

  const { url, pool } = await benchDatabase(server, `govdb_bench_${process.pid}`);
  try {
    const settings = await durability(pool);
    const durable = isDurable(settings);
    log(`bench: server fsync=${settings.fsync} synchronous_commit=${settings.synchronous_commit} full_page_writes=${settings.full_page_writes}${durable ? '' : ' — NOT DURABLE: figures are not comparable to production and cannot go into docs'}`);
    const versions = await pool.query(`select current_setting('server_version') as pg, (select extversion from pg_extension where extname = 'age') as age`);
    const ctx: BenchContext = { pool, redisUrl: redis, iterations, quick };
    const paired: PairedResult[] = [];
    paired.push(...(await benchSessions(ctx)));
    const metadataInvalidationMs = await benchMetadataInvalidation(ctx, quick ? 20 : 200);
    log(`bench: metadata invalidation across servers p50 ${metadataInvalidationMs.p50.toFixed(2)} ms, p99 ${metadataInvalidationMs.p99.toFixed(2)} ms`);
    paired.push(...(await benchWrites(ctx)));
    const cpuPerUpdate = await benchUpdateCpu(ctx, quick ? 300 : 3000);
    log(`bench: CPU per update: PostgreSQL ${cpuPerUpdate.postgresMsPerCall?.toFixed(3) ?? '?'} ms + Node ${cpuPerUpdate.nodeMsPerCall.toFixed(3)} ms`);
    const concurrency = await benchConcurrency(server, url, { levels: [1, 4, 16], seconds: concurrencySeconds, pgbenchScale: quick ? 1 : undefined, notifyDiagnostic: !quick, log });
    log(`bench: generating ${sizes.discoveries} discoveries and ${sizes.edges} related edges (seed ${sizes.seed})`);
    const gen = await generateKnowledge(pool, sizes);
    const edgeCount = await pool.query(`select (select count(*) from knowledge.discovery_edges) + (select count(*) from knowledge.discovery_tags) + (select count(*) from knowledge.discoveries) as n`);
    log(`bench: generated in ${gen.generateMs} ms, projected into AGE in ${gen.projectMs} ms`);
    const sample = await pool.query<{ id: string }>(`select id from knowledge.discoveries where id like 'bench\\_d\\_%' order by md5(id) limit 200`);
    paired.push(...(await benchKnowledge(ctx, sample.rows.map((r) => r.id))));
    const mixed = await benchMixed(url, redis, pool, { levels: quick ? [2] : [1, 4, 16], seconds: opts.mixedSeconds ?? (quick ? 2 : 10), profile: !quick, log });
    const audit = await benchAudit(ctx);
    paired.push(audit.append, audit.durable);

    const work = mkdtempSync(path.join(os.tmpdir(), 'govdb-bench-import-'));
    const file = path.join(work, 'tool_usage.jsonl');
    await writeLegacyJsonl(file, importLines, { auditEvery: 10 });
    log(`bench: importing ${importLines} JSONL lines`);
    const out = execFileSync(process.execPath, [path.join(__dirname, 'importRun.js'), file, url, work], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
    const imp = JSON.parse(out.trim().split('\n').pop()!);
    rmSync(work, { recursive: true, force: true });

    const redisVersion = execFileSync('redis-cli', ['-u', redis, 'info', 'server'], { encoding: 'utf8' }).match(/redis_version:(\S+)/)?.[1] ?? 'unknown';
    const results: BenchResults = {
      date: new Date().toISOString(),
      quick,
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}`, loadAverage1m: os.loadavg()[0] },
      versions: { govdb: VERSION, postgres: versions.rows[0].pg, age: versions.rows[0].age, redis: redisVersion },
      server: { url: server.replace(/\/\/[^@]*@/, '//'), durable, settings },
      knowledge: { discoveries: sizes.discoveries, edges: Number(edgeCount.rows[0].n), generateMs: gen.generateMs, projectMs: gen.projectMs },
      paired,
      cpuPerUpdate,
      metadataInvalidationMs,
      concurrency,
      mixed,
      audit: {
        mirrorEventsPerSec: Math.round(audit.mirrorEventsPerSec), mirrorLines: audit.mirrorLines, mirrorFloorRowsPerSec: Math.round(audit.mirrorFloorRowsPerSec),
        durableEventsPerSec: Math.round(audit.durableEventsPerSec), durableProducers: audit.durableProducers, rawFsyncsPerSec: Math.round(audit.rawFsyncsPerSec),
        durableAddedP50Ms: audit.durable.op.p50, fsyncFloorP50Ms: audit.durable.floor.p50,
      },
      import: { lines: importLines, rows: imp.rows, ms: imp.ms, rowsPerSec: Math.round(imp.rows / (imp.ms / 1000)), peakRssMb: Math.round(imp.peakRssBytes / 2 ** 20) },
      migrateFromEmptyMs: distribution(migrateSamples),
    };
    const outFile = opts.out ?? path.join(ROOT, 'bench', 'results', `${quick ? 'quick' : 'full'}-${results.date.replace(/[:.]/g, '-')}.json`);
    mkdirSync(path.dirname(outFile), { recursive: true });
    writeFileSync(outFile, JSON.stringify(results, null, 2) + '\n');
    log(`bench: results written to ${path.relative(process.cwd(), outFile)}`);
    return { results, file: outFile };
  } finally {
    await pool.end();
    await dropDatabase(server, `govdb_bench_${process.pid}`).catch(() => undefined);
  }
}

/** --updates, --mixed, --growth: one section on its own database, its own results file (never docs figures). */
async function runPartial(opts: Options, server: string, redis: string): Promise<null> {
  const quick = opts.quick;
  const iterations = quick ? 60 : 1000;
  const name = `govdb_bench_${process.pid}`;
  const { url, pool } = await benchDatabase(server, name);
  const out: Record<string, unknown> = { date: new Date().toISOString(), quick, machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage1m: os.loadavg()[0] } };
  let kind: string;
  try {
    const settings = await durability(pool);
    out.server = { url: server.replace(/\/\/[^@]*@/, '//'), durable: isDurable(settings), settings };
    if (opts.growth) {
      kind = 'growth';
      out.growth = await benchGrowth(server, { discoveries: opts.growthDiscoveries, states: opts.growthStates, iterations: quick ? 60 : 500, keep: opts.growthKeep, keepPrefix: opts.growthKeepPrefix, log });
    } else if (opts.mixed) {
      kind = 'mixed';
      const sizes = quick ? { agents: 50, discoveries: 2_000, edges: 4_000, seed: 0.42 } : { agents: 100, discoveries: 10_000, edges: 20_000, seed: 0.42 };
      await generateKnowledge(pool, sizes);
      out.mixed = await benchMixed(url, redis, pool, { levels: quick ? [2] : [1, 4, 16], seconds: opts.mixedSeconds ?? (quick ? 2 : 10), profile: !quick, log });
    } else {
      kind = 'updates';
      const ctx: BenchContext = { pool, redisUrl: redis, iterations, quick };
      out.paired = (await benchWrites(ctx)).filter((p) => p.name.startsWith('process_agent_update'));
      out.cpuPerUpdate = await benchUpdateCpu(ctx, quick ? 300 : 3000);
      out.concurrency = await benchConcurrency(server, url, { levels: [1, 4, 16], seconds: opts.concurrencySeconds ?? (quick ? 1 : 10), pgbenchScale: quick ? 1 : undefined, notifyDiagnostic: !quick, log });
    }
  } finally {
    await pool.end();
    await dropDatabase(server, name).catch(() => undefined);
  }
  const outFile = opts.out ?? path.join(ROOT, 'bench', 'results', `${kind}${quick ? '-quick' : ''}-${String(out.date).replace(/[:.]/g, '-')}.json`);
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, JSON.stringify(out, null, 2) + '\n');
  process.stdout.write(JSON.stringify(out, (k, v) => (k === 'perTool' || k === 'floor' ? undefined : v), 1) + '\n');
  log(`bench: results written to ${path.relative(process.cwd(), outFile)}`);
  return null;
}

function printSummary(r: BenchResults): void {
  process.stdout.write(`\ngovdb benchmark ${r.date} (${r.quick ? 'QUICK smoke run' : 'full run'}; server ${r.server.durable ? 'durable' : 'NOT durable'}: fsync=${r.server.settings.fsync}, synchronous_commit=${r.server.settings.synchronous_commit}); times in ms; floor measured right before each sample on the same connection\n`);
  for (const p of r.paired) process.stdout.write(formatRow(p) + '\n');
  if (r.cpuPerUpdate) {
    const c = r.cpuPerUpdate;
    process.stdout.write(`CPU per process_agent_update (${c.calls} calls): PostgreSQL ${c.postgresMsPerCall?.toFixed(3) ?? '?'} ms + Node ${c.nodeMsPerCall.toFixed(3)} ms = ${c.totalMsPerCall?.toFixed(3) ?? '?'} ms\n`);
  }
  if (r.metadataInvalidationMs) process.stdout.write(`metadata invalidation across servers (pub/sub to the other server's in-process tier): p50 ${r.metadataInvalidationMs.p50.toFixed(3)} ms, p99 ${r.metadataInvalidationMs.p99.toFixed(3)} ms (n=${r.metadataInvalidationMs.n})\n`);
  if (r.concurrency) {
    for (const l of r.concurrency.levels) process.stdout.write(`concurrency ${String(l.clients).padStart(2)} clients: ${l.updatesPerSec} updates/s (p50 ${l.latencyMs.p50.toFixed(2)}, p99 ${l.latencyMs.p99.toFixed(2)} ms) | pgbench TPC-B ${l.pgbenchTps ?? '-'} tps\n`);
    const w = r.concurrency.withoutDashboardNotify;
    if (w) process.stdout.write(`concurrency ${w.clients} clients, dashboard NOTIFY triggers disabled: ${w.updatesPerSec} updates/s (p50 ${w.latencyMs.p50.toFixed(2)}, p99 ${w.latencyMs.p99.toFixed(2)} ms)\n`);
    const s = r.concurrency.sameAgent;
    process.stdout.write(`same agent, ${s.clients} clients: ${s.updatesPerSec} updates/s, ${s.completed} completed = ${s.rows} rows, seq gapless: ${s.seqGapless}\n`);
  }
  if (r.audit.durableAddedP50Ms !== undefined) {
    process.stdout.write(`audit acknowledged (fsynced before the reply): p50 added ${r.audit.durableAddedP50Ms.toFixed(3)} ms (raw write+fdatasync p50 ${r.audit.fsyncFloorP50Ms!.toFixed(3)} ms); ${r.audit.durableEventsPerSec} acknowledged events/s with ${r.audit.durableProducers} producers vs ${r.audit.rawFsyncsPerSec} raw fdatasyncs/s\n`);
  }
  for (const l of r.mixed?.levels ?? []) process.stdout.write(`mixed MCP workload ${String(l.clients).padStart(2)} clients: ${l.opsPerSec} ops/s (p50 ${l.latencyMs.p50.toFixed(2)}, p99 ${l.latencyMs.p99.toFixed(2)} ms), server peak RSS ${l.serverPeakRssMb} MB, errors ${l.errors}\n`);
  if (r.mixed?.profile) process.stdout.write(`mixed workload server profile (${r.mixed.profile.clients} clients), idle ${r.mixed.profile.idlePercent}%, busy self time: ${r.mixed.profile.byPackage.map((f) => `${f.frame} ${f.selfPercent}%`).join(', ')}\n`);
  process.stdout.write(`audit mirror into PostgreSQL: ${r.audit.mirrorEventsPerSec} events/s (${r.audit.mirrorLines} lines)${r.audit.mirrorFloorRowsPerSec ? `; floor (same rows, plain INSERT per 2000 into an unindexed table) ${r.audit.mirrorFloorRowsPerSec} rows/s` : ''}\n`);
  process.stdout.write(`legacy import: ${r.import.rows} rows from ${r.import.lines} lines in ${r.import.ms} ms = ${r.import.rowsPerSec} rows/s, peak RSS ${r.import.peakRssMb} MB\n`);
  process.stdout.write(`govdb migrate from empty: p50 ${r.migrateFromEmptyMs.p50.toFixed(0)} ms (n=${r.migrateFromEmptyMs.n})\n`);
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  // refuses, before any long run, an option that the chosen run would ignore (cliOptions.ts)
  program.parse(argv, { from: 'user' });
  const opts = program.opts<Options>();
  let results: BenchResults;
  let file: string;
  if (opts.from) {
    file = path.resolve(opts.from);
    results = readResults(file) as BenchResults;
  } else {
    const run = await runBenchmark(opts);
    if (!run) return;
    ({ results, file } = run);
    printSummary(results);
  }
  if (opts.compare) {
    const previous = previousCommittedFullRun(ROOT, file);
    if (!previous) process.stdout.write('compare: no committed full run under bench/results/\n');
    else process.stdout.write(compareRuns(readResults(previous), results, path.relative(ROOT, previous)).join('\n') + '\n');
  }
  if (opts.docs) {
    const ok = docsEligibility(results);
    if (!ok.ok) throw new Error(`not writing docs/performance.md: ${ok.reason}`);
    writeFigures(path.join(ROOT, 'docs', 'performance.md'), results, path.relative(ROOT, file));
    log('bench: docs/performance.md figures rewritten from this run');
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
