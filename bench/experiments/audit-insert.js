#!/usr/bin/env node
// Paired A/B of the audit mirror's insert (audit.insert_events or a variant) on the durable server.
//
//   npm run build && node bench/experiments/audit-insert.js [--variants a.sql,b.sql] [--rounds 8]
//     [--batches 10] [--batch-size 2000] [--prefix audit18_exp] [--hold-seconds 0] [--keep]
//
// One freshly migrated database per variant (<prefix>_<k>); a variant is an SQL file run after the
// migration ('-' = the checkout's schema as is). Each round loads `batches` new batches of hash-chained
// rows shaped like the mirror's (the bench's `bench_mirror` lines) into every database, in ABBA order,
// one connection per database; per call: wall time and the backend's CPU (utime+stime from
// /proc/<pid>/stat, so the server must be local). Prints per-variant medians over rounds and the
// paired ratio (variant k / variant 0) per round. --hold-seconds: after the rounds, keep loading into
// variant 0 for that long (to attach `perf record -p <pid>`; the pid is printed). --duplicates: each
// round then loads its batches once more (every hash stored: the re-mirroring / backfill case), timed
// apart.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const ROOT = path.resolve(__dirname, '..', '..');
const { serverUrl, recreateDatabase, dropDatabase } = require(path.join(ROOT, 'dist/bench/setup'));
const { migrate } = require(path.join(ROOT, 'dist/db/migrate/migrate'));
const { connectClient } = require(path.join(ROOT, 'dist/db/pool'));

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  return typeof dflt === 'boolean' ? true : process.argv[i + 1];
}
const variants = String(arg('variants', '-')).split(',');
const rounds = Number(arg('rounds', 8));
const batches = Number(arg('batches', 10));
const batchSize = Number(arg('batch-size', 2000));
const prefix = String(arg('prefix', 'audit18_exp'));
const holdSeconds = Number(arg('hold-seconds', 0));
const keep = arg('keep', false);
const duplicates = arg('duplicates', false);
const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

let prev = null;
let seq = 0;
function nextBatch() {
  const rows = [];
  const t0 = Date.parse('2026-11-30T08:00:00.000Z');
  for (let i = 0; i < batchSize; i++, seq++) {
    const row = {
      occurred_at: new Date(t0 + seq).toISOString(), agent_id: 'bench', session_id: 's', event_type: 'bench_mirror',
      confidence: null, details: { i: seq }, prev_hash: prev,
    };
    row.content_hash = crypto.createHash('sha256').update(JSON.stringify(row)).digest('hex');
    prev = row.content_hash;
    rows.push(row);
  }
  return JSON.stringify(rows);
}

function cpuMs(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * TICK_MS; // utime, stime (fields 14, 15)
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

async function main() {
  const server = serverUrl();
  const dbs = [];
  for (const [k, file] of variants.entries()) {
    const name = `${prefix}_${k}`;
    const url = await recreateDatabase(server, name);
    await migrate(url, { root: ROOT, quiet: true });
    const client = await connectClient(url);
    if (file !== '-') await client.query(fs.readFileSync(file, 'utf8'));
    const pid = (await client.query('select pg_backend_pid() as pid')).rows[0].pid;
    dbs.push({ name, file, client, pid, wall: [], cpu: [], dupWall: [], dupCpu: [] });
  }
  const sql = 'select * from audit.insert_events($1::jsonb, $2)';
  for (const d of dbs) await d.client.query(sql, [nextBatch(), 'server']); // warm-up (plans, caches)
  for (let r = 0; r < rounds; r++) {
    const data = Array.from({ length: batches }, nextBatch);
    const order = r % 2 ? [...dbs].reverse() : dbs;
    for (const d of order) {
      const c0 = cpuMs(d.pid);
      const t0 = process.hrtime.bigint();
      let inserted = 0;
      for (const b of data) inserted += (await d.client.query(sql, [b, 'server'])).rows[0].inserted;
      const wall = Number(process.hrtime.bigint() - t0) / 1e6 / batches;
      if (inserted !== batches * batchSize) throw new Error(`${d.name}: inserted ${inserted}, expected ${batches * batchSize}`);
      d.wall.push(wall);
      d.cpu.push((cpuMs(d.pid) - c0) / batches);
      if (duplicates) {
        const c1 = cpuMs(d.pid);
        const t1 = process.hrtime.bigint();
        let dups = 0;
        for (const b of data) dups += (await d.client.query(sql, [b, 'server'])).rows[0].duplicates;
        if (dups !== batches * batchSize) throw new Error(`${d.name}: ${dups} duplicates, expected ${batches * batchSize}`);
        d.dupWall.push(Number(process.hrtime.bigint() - t1) / 1e6 / batches);
        d.dupCpu.push((cpuMs(d.pid) - c1) / batches);
      }
    }
  }
  const [a] = dbs;
  for (const d of dbs) {
    const wr = d.wall.map((w, i) => w / a.wall[i]);
    const cr = d.cpu.map((c, i) => c / a.cpu[i]);
    process.stdout.write(`${d.file}: per ${batchSize}-row call median wall ${median(d.wall).toFixed(1)} ms, backend CPU ${median(d.cpu).toFixed(1)} ms` +
      ` (${Math.round(batchSize / (median(d.wall) / 1000))} rows/s); paired vs ${a.file}: wall ×${median(wr).toFixed(3)} [${Math.min(...wr).toFixed(2)}-${Math.max(...wr).toFixed(2)}], CPU ×${median(cr).toFixed(3)}\n`);
  }
  if (duplicates) {
    for (const d of dbs) {
      const wr = d.dupWall.map((w, i) => w / a.dupWall[i]);
      const cr = d.dupCpu.map((c, i) => c / a.dupCpu[i]);
      process.stdout.write(`${d.file}: all-duplicate ${batchSize}-row call median wall ${median(d.dupWall).toFixed(1)} ms, backend CPU ${median(d.dupCpu).toFixed(1)} ms; paired vs ${a.file}: wall ×${median(wr).toFixed(3)}, CPU ×${median(cr).toFixed(3)}\n`);
    }
  }
  if (holdSeconds > 0) {
    process.stdout.write(`holding: loading into ${a.name} for ${holdSeconds} s, backend pid ${a.pid}\n`);
    const end = Date.now() + holdSeconds * 1000;
    while (Date.now() < end) await a.client.query(sql, [nextBatch(), 'server']);
  }
  for (const d of dbs) await d.client.end();
  if (!keep) for (const d of dbs) await dropDatabase(server, d.name);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
