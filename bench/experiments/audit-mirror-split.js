#!/usr/bin/env node
// One AuditMirror run over a fixed file, split into wall time, Node CPU and PostgreSQL backend CPU.
//
//   npm run build && node bench/experiments/audit-mirror-split.js [<root of a built checkout>] [lines]
//
// Writes `lines` (default 100,000) bench-shaped lines with AuditLog, mirrors them into a fresh
// migrated database on the durable server (batchSize 2000, as the bench), and prints rows/s, Node's
// process.cpuUsage() and the CPU of the database's backends (/proc/<pid>/stat; the server must be
// local) per row. Pass the root of another built checkout to run its code and SQL: alternate two
// roots for a paired comparison (docs/performance.md, "Audit mirror insert").
'use strict';
const path = require('path');
const fs = require('fs');
const os = require('os');
const { execFileSync } = require('child_process');
const ROOT = path.resolve(process.argv[2] || path.join(__dirname, '..', '..'));
const N = Number(process.argv[3] || 100000);
const { AuditLog, AuditMirror } = require(path.join(ROOT, 'dist/audit'));
const { serverUrl, benchDatabase, dropDatabase } = require(path.join(ROOT, 'dist/bench/setup'));
const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
const cpuMs = (pid) => {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return 0;
  }
};

async function main() {
  const server = serverUrl();
  const name = `audit_split_${process.pid}`;
  const { pool } = await benchDatabase(server, name);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-split-'));
  try {
    const logPath = path.join(dir, 'audit_log.jsonl');
    const log = await AuditLog.open({ path: logPath });
    for (let i = 0; i < N; i++) void log.record({ agentId: 'bench', sessionId: 's', eventType: 'bench_mirror', details: { i } });
    await log.flush();
    await log.close();
    const held = await Promise.all([0, 1].map(() => pool.connect())); // open the pool's connections so their pids are known
    held.forEach((c) => c.release());
    const pids = (await pool.query('select pid from pg_stat_activity where datname = $1', [name])).rows.map((r) => r.pid);
    const b0 = pids.reduce((s, p) => s + cpuMs(p), 0);
    const n0 = process.cpuUsage();
    const t0 = Date.now();
    const mirror = new AuditMirror(pool, { logPath, batchSize: 2000, pollIntervalMs: 10 });
    mirror.start();
    await mirror.caughtUp(600_000);
    const ms = Date.now() - t0;
    await mirror.stop();
    const n = process.cpuUsage(n0);
    const backend = pids.reduce((s, p) => s + cpuMs(p), 0) - b0;
    const rows = mirror.state().rowsInserted;
    const node = (n.user + n.system) / 1000;
    process.stdout.write(`${ROOT}: ${rows} rows in ${ms} ms = ${Math.round(rows / ms * 1000)}/s; Node CPU ${node.toFixed(0)} ms (${(node * 1000 / rows).toFixed(1)} µs/row), backend CPU ${backend.toFixed(0)} ms (${(backend * 1000 / rows).toFixed(1)} µs/row)\n`);
    await pool.end();
  } finally {
    await dropDatabase(server, name);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
