import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import os from 'os';
import path from 'path';
import { migrate } from '../db/migrate/migrate';
import { writeLegacyJsonl } from '../import/bench';
import { benchAudit, benchKnowledge, benchSessions, benchWrites, BenchContext } from './benches';
import { distribution, formatRow, PairedResult, timeIt } from './measure';
import { benchDatabase, dropDatabase, generateKnowledge, recreateDatabase, redisUrl, ROOT, serverUrl } from './setup';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION: string = require('../../package.json').version;

interface Results {
  date: string;
  quick: boolean;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string };
  versions: { govdb: string; postgres: string; age: string; redis: string };
  knowledge: { discoveries: number; edges: number; generateMs: number; projectMs: number };
  paired: PairedResult[];
  audit: { mirrorEventsPerSec: number; mirrorLines: number; durableEventsPerSec: number; durableProducers: number; rawFsyncsPerSec: number; durableAddedP50Ms: number; fsyncFloorP50Ms: number };
  import: { lines: number; rows: number; ms: number; rowsPerSec: number; peakRssMb: number };
  migrateFromEmptyMs: ReturnType<typeof distribution>;
}

const log = (line: string) => process.stderr.write(line + '\n');

async function main(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const outIndex = argv.indexOf('--out');
  const server = serverUrl();
  const redis = redisUrl();
  const iterations = quick ? 60 : 1000;
  const sizes = quick ? { agents: 50, discoveries: 2_000, edges: 4_000, seed: 0.42 } : { agents: 500, discoveries: 100_000, edges: 200_000, seed: 0.42 };
  const importLines = quick ? 20_000 : 1_000_000;

  log(`bench: ${quick ? 'quick (smoke) run: figures are not meaningful' : 'full run'}; PostgreSQL ${server.replace(/\/\/[^@]*@/, '//')}`);
  if (argv.includes('--audit-only')) {
    // only the audit trail benches (durable appends beside their raw fsync floor, mirror throughput)
    const { pool } = await benchDatabase(server, `govdb_bench_${process.pid}`);
    try {
      const a = await benchAudit({ pool, redisUrl: redis, iterations, quick });
      for (const r of [a.append, a.durable]) process.stdout.write(formatRow(r) + '\n');
      process.stdout.write(`audit acknowledged (fsynced before the reply): p50 added ${a.durable.op.p50.toFixed(3)} ms (raw write+fdatasync p50 ${a.durable.floor.p50.toFixed(3)} ms); ${Math.round(a.durableEventsPerSec)} acknowledged events/s with ${a.durableProducers} producers vs ${Math.round(a.rawFsyncsPerSec)} raw fdatasyncs/s\n`);
      process.stdout.write(`audit mirror into PostgreSQL: ${Math.round(a.mirrorEventsPerSec)} events/s (${a.mirrorLines} lines)\n`);
    } finally {
      await pool.end();
      await dropDatabase(server, `govdb_bench_${process.pid}`).catch(() => undefined);
    }
    return;
  }
  const migrateSamples: number[] = [];
  for (let i = 0; i < (quick ? 1 : 3); i++) {
    const url = await recreateDatabase(server, `govdb_bench_migrate_${process.pid}`);
    migrateSamples.push(await timeIt(() => migrate(url, { root: ROOT })));
  }
  await dropDatabase(server, `govdb_bench_migrate_${process.pid}`);
  log(`bench: migrate from empty p50 ${distribution(migrateSamples).p50.toFixed(0)} ms`);

  const { url, pool } = await benchDatabase(server, `govdb_bench_${process.pid}`);
  try {
    const versions = await pool.query(`select current_setting('server_version') as pg, (select extversion from pg_extension where extname = 'age') as age`);
    const ctx: BenchContext = { pool, redisUrl: redis, iterations, quick };
    const paired: PairedResult[] = [];
    paired.push(...(await benchSessions(ctx)));
    paired.push(...(await benchWrites(ctx)));
    log(`bench: generating ${sizes.discoveries} discoveries and ${sizes.edges} related edges (seed ${sizes.seed})`);
    const gen = await generateKnowledge(pool, sizes);
    const edgeCount = await pool.query(`select (select count(*) from knowledge.discovery_edges) + (select count(*) from knowledge.discovery_tags) + (select count(*) from knowledge.discoveries) as n`);
    log(`bench: generated in ${gen.generateMs} ms, projected into AGE in ${gen.projectMs} ms`);
    const sample = await pool.query<{ id: string }>(`select id from knowledge.discoveries where id like 'bench\\_d\\_%' order by md5(id) limit 200`);
    paired.push(...(await benchKnowledge(ctx, sample.rows.map((r) => r.id))));
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
    const results: Results = {
      date: new Date().toISOString(),
      quick,
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}` },
      versions: { govdb: VERSION, postgres: versions.rows[0].pg, age: versions.rows[0].age, redis: redisVersion },
      knowledge: { discoveries: sizes.discoveries, edges: Number(edgeCount.rows[0].n) - sizes.discoveries + sizes.discoveries, generateMs: gen.generateMs, projectMs: gen.projectMs },
      paired,
      audit: {
        mirrorEventsPerSec: Math.round(audit.mirrorEventsPerSec), mirrorLines: audit.mirrorLines,
        durableEventsPerSec: Math.round(audit.durableEventsPerSec), durableProducers: audit.durableProducers, rawFsyncsPerSec: Math.round(audit.rawFsyncsPerSec),
        durableAddedP50Ms: audit.durable.op.p50, fsyncFloorP50Ms: audit.durable.floor.p50,
      },
      import: { lines: importLines, rows: imp.rows, ms: imp.ms, rowsPerSec: Math.round(imp.rows / (imp.ms / 1000)), peakRssMb: Math.round(imp.peakRssBytes / 2 ** 20) },
      migrateFromEmptyMs: distribution(migrateSamples),
    };

    process.stdout.write(`\ngovdb benchmark ${results.date} (${quick ? 'QUICK smoke run' : 'full run'}); times in ms; floor measured right before each sample on the same connection\n`);
    for (const r of paired) process.stdout.write(formatRow(r) + '\n');
    process.stdout.write(`audit acknowledged (fsynced before the reply): p50 added ${results.audit.durableAddedP50Ms.toFixed(3)} ms (raw write+fdatasync p50 ${results.audit.fsyncFloorP50Ms.toFixed(3)} ms); ${results.audit.durableEventsPerSec} acknowledged events/s with ${results.audit.durableProducers} producers vs ${results.audit.rawFsyncsPerSec} raw fdatasyncs/s\n`);
    process.stdout.write(`audit mirror into PostgreSQL: ${results.audit.mirrorEventsPerSec} events/s (${results.audit.mirrorLines} lines)\n`);
    process.stdout.write(`legacy import: ${results.import.rows} rows from ${importLines} lines in ${results.import.ms} ms = ${results.import.rowsPerSec} rows/s, peak RSS ${results.import.peakRssMb} MB\n`);
    process.stdout.write(`govdb migrate from empty: p50 ${results.migrateFromEmptyMs.p50.toFixed(0)} ms (n=${migrateSamples.length})\n`);
    process.stdout.write(`knowledge graph: ${sizes.discoveries} discoveries, ${results.knowledge.edges} edges (AUTHORED+TAGGED+RELATED_TO); AGE projection built in ${gen.projectMs} ms\n`);

    const outFile = outIndex >= 0 ? argv[outIndex + 1]! : path.join(ROOT, 'bench', 'results', `${quick ? 'quick' : 'full'}-${results.date.replace(/[:.]/g, '-')}.json`);
    mkdirSync(path.dirname(outFile), { recursive: true });
    writeFileSync(outFile, JSON.stringify(results, null, 2) + '\n');
    log(`bench: results written to ${path.relative(process.cwd(), outFile)}`);
  } finally {
    await pool.end();
    await dropDatabase(server, `govdb_bench_${process.pid}`).catch(() => undefined);
  }
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
