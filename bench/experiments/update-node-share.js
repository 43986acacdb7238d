#!/usr/bin/env node
// The Node side of one process_agent_update (docs/performance.md "Fifth pass"): in a fresh database on the
// durable server whose core.process_agent_update has a constant body (update-variants/trivial-body.sql:
// same signature and result row, no lock, read or write), rounds alternate on one connection between
//   svc  the service layer (createEisvService(...).processUpdate: callFunction, non-null check, mapping), and
//   raw  client.query of the same named statement with the same values (the pg driver alone),
// the order reversed every round. Prints per mode the median Node CPU (process.cpuUsage), wall and backend
// CPU (/proc/<pid>/schedstat) per call, and the median paired raw/svc ratio.
//
//   node bench/experiments/update-node-share.js [--rounds 40] [--calls 500] [--db updexp18_node] [--keep]
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { Client } = require('pg');
const { createPool } = require('../../dist/db/pool');
const { createEisvService } = require('../../dist/domain/eisv');

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const rounds = Number(opt('--rounds', 40));
const calls = Number(opt('--calls', 500));
const db = opt('--db', 'updexp18_node');
const server = opt('--server', 'postgres://postgres@127.0.0.1:54397');
const root = path.resolve(__dirname, '../..');
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const cpuNs = (pid) => Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);

async function admin(sql) {
  const c = new Client({ connectionString: `${server}/postgres` });
  await c.connect();
  try { await c.query(sql); } finally { await c.end(); }
}

(async () => {
  const url = `${server}/${db}`;
  await admin(`drop database if exists ${db}`);
  await admin(`create database ${db}`);
  execFileSync('node', [path.join(root, 'bin/govdb.js'), 'migrate', '--database-url', url], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const pool = createPool(url, { max: 1 });
  const client = await pool.connect();
  await client.query(fs.readFileSync(path.join(__dirname, 'update-variants/trivial-body.sql'), 'utf8'));
  const pid = (await client.query('select pg_backend_pid() as pid')).rows[0].pid;
  const eisv = createEisvService(client);
  // capture the statement the service sends, to replay it through the driver alone
  let captured;
  const spy = { query: (q) => { captured = q; return client.query(q); } };
  await createEisvService(spy).processUpdate({ agentId: 'ab1', complexity: 0.5, confidence: 0.5, responseLength: 100 });
  const report = (i) => ({ agentId: `ab${1 + (i % 17)}`, complexity: (i % 10) / 10, confidence: 0.5 + (i % 5) / 10, responseLength: 100 + (i % 900) });
  const modes = [
    { name: 'svc', run: async (i) => { await eisv.processUpdate(report(i)); } },
    { name: 'raw', run: async (i) => { const r = report(i); await client.query({ name: captured.name, text: captured.text, values: [r.agentId, r.complexity, r.confidence, r.responseLength] }); } },
  ];
  if (captured.values.length !== 4) throw new Error(`expected 4 bound values, the service sent ${captured.values.length}`);
  for (const m of modes) { m.node = []; m.wall = []; m.cpu = []; for (let i = 0; i < 1000; i++) await m.run(i); }
  for (let r = 0; r < rounds; r++) {
    for (const m of (r % 2 ? [...modes].reverse() : modes)) {
      const c0 = cpuNs(pid); const n0 = process.cpuUsage(); const t0 = process.hrtime.bigint();
      for (let i = 0; i < calls; i++) await m.run(i);
      const t1 = process.hrtime.bigint(); const n1 = process.cpuUsage(n0); const c1 = cpuNs(pid);
      m.node.push((n1.user + n1.system) / calls / 1e3); m.wall.push(Number(t1 - t0) / calls / 1e6); m.cpu.push((c1 - c0) / calls / 1e6);
    }
  }
  console.log(`rounds ${rounds} × ${calls} calls per mode; statement: ${captured.text}; load: ${fs.readFileSync('/proc/loadavg', 'utf8').trim()}`);
  for (const m of modes) {
    const ratios = m.node.map((x, r) => x / modes[0].node[r]);
    console.log(`${m.name}: Node CPU/call median ${median(m.node).toFixed(4)} ms (min ${Math.min(...m.node).toFixed(4)}), wall ${median(m.wall).toFixed(4)} ms, backend CPU ${median(m.cpu).toFixed(4)} ms; node ${m.name}/svc median of paired rounds ${median(ratios).toFixed(3)}`);
  }
  client.release(); await pool.end();
  if (!args.includes('--keep')) await admin(`drop database if exists ${db}`);
})().catch((e) => { console.error(e); process.exit(1); });
