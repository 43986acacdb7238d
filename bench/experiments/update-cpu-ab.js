#!/usr/bin/env node
// Paired A/B of the PostgreSQL backend CPU per process_agent_update (docs/performance.md "Third pass"
// method): databases on the durable benchmark server, each migrated by its own ledger and prefilled
// alike (17 agents, 20,000 state rows each); rounds of N calls through the service layer
// (createEisvService of this build) alternate between them on one connection each, the order
// reversed every round (5,000 idle agents beside them, --idle-agents); each round reads the backend's CPU from /proc/<pid>/schedstat (ns).
// Prints per variant the median CPU per call, and the median of the per-round ratios against the first.
//
//   node bench/experiments/update-cpu-ab.js --variant a=/path/to/ledger-root --variant b=. [--lock-only c=.]
//        [--sql d=variant.patch+other.sql] [--rounds 40] [--calls 100] [--prefix counters18_ab] [--keep]
// A ledger root is a checkout with a built dist/ (its bin/govdb.js migrates). `--lock-only name=root`
// migrates like root, then replaces process_agent_update's counter write by nothing (the agent row
// lock stays): the upper bound of deriving the counters with no write at all. `--unlocked-read name=root`
// reads the agent's status without locking its row (the counter UPDATE is then the only lock): the
// CPU of serialising on the core.agent_activity row instead of the agent row. `--sql name=file[+file...]`
// migrates this checkout, then applies each file in order before the prefill's vacuum: a `.sql` file
// as it is (e.g. an `alter table` variant), a `.patch` of sql/functions/eisv.sql as the patched file
// (a variant of process_agent_update; update-variants/*.patch).
// After the rounds every variant's stored history rows written by the run (seq > the prefill; every
// column but recorded_at, the state jsonb included) are hashed and compared with the first variant's:
// the variants received the same calls in the same order, so equal hashes mean identical results.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { Client } = require('pg');
const { createPool } = require('../../dist/db/pool');
const { createEisvService } = require('../../dist/domain/eisv');

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const variants = [];
for (let i = 0; i < args.length; i++) {
  if (['--variant', '--lock-only', '--unlocked-read'].includes(args[i])) {
    const [name, root] = args[i + 1].split('=');
    variants.push({ name, root: path.resolve(root), lockOnly: args[i] === '--lock-only', unlockedRead: args[i] === '--unlocked-read' });
  } else if (args[i] === '--sql') {
    const [name, files] = args[i + 1].split('=');
    variants.push({ name, root: path.resolve(__dirname, '../..'), sqlFiles: files.split('+').map((f) => path.resolve(f)) });
  }
}
const rounds = Number(opt('--rounds', 40));
const calls = Number(opt('--calls', 100));
const prefix = opt('--prefix', 'counters18_ab');
const keep = args.includes('--keep');
const server = opt('--server', 'postgres://postgres@127.0.0.1:54397');
const AGENTS = 17;
const ROWS = 20000;
const IDLE = Number(opt('--idle-agents', 5000));

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
// A variant is SQL (`.sql`, run as it is) or a patch of sql/functions/eisv.sql (`.patch`: the patched
// file is run, so a variant of process_agent_update states only what it changes)
function variantSql(file) {
  if (!file.endsWith('.patch')) return fs.readFileSync(file, 'utf8');
  const eisv = path.resolve(__dirname, '../../sql/functions/eisv.sql');
  return execFileSync('patch', ['--silent', '--output=-', eisv, file], { encoding: 'utf8' });
}

const cpuNs = (pid) => Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);

async function admin(sql) {
  const c = new Client({ connectionString: `${server}/postgres` });
  await c.connect();
  try { await c.query(sql); } finally { await c.end(); }
}

async function prepare(v) {
  v.db = `${prefix}_${v.name}`;
  v.url = `${server}/${v.db}`;
  {
    await admin(`drop database if exists ${v.db}`);
    await admin(`create database ${v.db}`);
    execFileSync('node', [path.join(v.root, 'bin/govdb.js'), 'migrate', '--database-url', v.url], { cwd: v.root, stdio: ['ignore', 'ignore', 'inherit'] });
    const c = new Client({ connectionString: v.url });
    await c.connect();
    try {
      await c.query(`insert into core.agents (id, label) select 'ab' || i, 'ab ' || i from generate_series(1, ${AGENTS}) i`);
      // a fleet around them that does not update, so the plans are those of a real table (index scans), not
      // of a one-page table that a generic plan would scan whole
      await c.query(`insert into core.agents (id, label) select 'idle' || i, 'idle ' || i from generate_series(1, ${IDLE}) i`);
      await c.query(`insert into core.agent_state (agent_id, seq, energy, information, entropy, void, coherence, risk, phi, regime, verdict, decision, health_status, state, recorded_at)
                     select 'ab' || a, s, 0.7, 0.8, 0.2, 0.0, 0.5, 0.3, 0.1, 'STABLE', 'safe', 'proceed', 'healthy',
                            jsonb_build_object('model', 'eisv-euler-v1', 'bench', true), now() - make_interval(secs => ${ROWS} - s)
                     from generate_series(1, ${AGENTS}) a cross join generate_series(1, ${ROWS}) s`);
      if (v.unlockedRead) {
        const def = (await c.query(`select pg_get_functiondef('core.process_agent_update(text,double precision,double precision,integer,text,text,double precision[],boolean)'::regprocedure) as d`)).rows[0].d;
        const lock = 'where a.id = p_agent_id for no key update;\n  if not found then\n    raise';
        if (!def.includes(lock)) throw new Error('unlocked-read: the agent row lock was not found in process_agent_update');
        await c.query(def.replace(lock, 'where a.id = p_agent_id;\n  if not found then\n    raise'));
      }
      if (v.lockOnly) {
        const def = (await c.query(`select pg_get_functiondef('core.process_agent_update(text,double precision,double precision,integer,text,text,double precision[],boolean)'::regprocedure) as d`)).rows[0].d;
        const from = def.indexOf('  update core.agent_activity as x');
        const to = def.indexOf('  -- the latest state');
        if (from < 0 || to < 0) throw new Error('lock-only: the counter write was not found in process_agent_update');
        await c.query(def.slice(0, from) + '  update_count := 0;\n\n' + def.slice(to));
      }
      for (const file of v.sqlFiles ?? []) await c.query(variantSql(file));
      await c.query('vacuum (analyze)');
    } finally { await c.end(); }
  }
  v.pool = createPool(v.url, { max: 1 });
  v.client = await v.pool.connect();
  v.pid = (await v.client.query('select pg_backend_pid() as pid')).rows[0].pid;
  v.eisv = createEisvService(v.client);
  v.i = 0;
  v.cpu = []; v.wall = []; v.node = [];
}

async function batch(v, n) {
  for (let k = 0; k < n; k++, v.i++) {
    await v.eisv.processUpdate({ agentId: `ab${1 + (v.i % AGENTS)}`, complexity: (v.i % 10) / 10, confidence: 0.5 + (v.i % 5) / 10, responseLength: 100 + (v.i % 900) });
  }
}

(async () => {
  if (variants.length < 2) throw new Error('at least two --variant/--lock-only/--unlocked-read/--sql');
  for (const v of variants) await prepare(v);
  for (const v of variants) await batch(v, 300); // warm-up: plans cached, pages in shared buffers
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...variants].reverse() : variants;
    for (const v of order) {
      const c0 = cpuNs(v.pid); const n0 = process.cpuUsage(); const t0 = process.hrtime.bigint();
      await batch(v, calls);
      const t1 = process.hrtime.bigint(); const n1 = process.cpuUsage(n0); const c1 = cpuNs(v.pid);
      v.cpu.push((c1 - c0) / calls / 1e6); v.wall.push(Number(t1 - t0) / calls / 1e6); v.node.push((n1.user + n1.system) / calls / 1e3);
    }
  }
  for (const v of variants) {
    v.hash = (await v.client.query(`select count(*)::int as n, md5(string_agg(concat_ws('|', s.agent_id, s.seq, s.energy, s.information, s.entropy, s.void,
        s.coherence, s.risk, s.phi, s.regime, s.verdict, s.decision, s.health_status, s.state::text, s.origin, s.anomalies::text), E'\\n'
        order by s.agent_id, s.seq)) as h from core.agent_state s where s.seq > ${ROWS}`)).rows[0];
  }
  const base = variants[0];
  console.log(`rounds ${rounds} × ${calls} calls per variant; load: ${fs.readFileSync('/proc/loadavg', 'utf8').trim()}`);
  for (const v of variants) {
    const ratios = v.cpu.map((x, r) => x / base.cpu[r]);
    console.log(`${v.name}${v.lockOnly ? ' (lock only)' : ''}: backend CPU/update median ${median(v.cpu).toFixed(3)} ms (min ${Math.min(...v.cpu).toFixed(3)}), wall ${median(v.wall).toFixed(3)} ms, node ${median(v.node).toFixed(3)} ms; ${v.name}/${base.name} median of paired rounds ${median(ratios).toFixed(3)}; stored rows ${v.hash.n} ${v.hash.h === base.hash.h ? 'identical to' : 'DIFFER from'} ${base.name}`);
  }
  for (const v of variants) { v.client.release(); await v.pool.end(); if (!keep) await admin(`drop database if exists ${v.db}`); }
})().catch((e) => { console.error(e); process.exit(1); });
