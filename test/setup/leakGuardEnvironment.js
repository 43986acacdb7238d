/**
 * The node test environment plus a leak guard. After every test file (all its hooks have run) it
 * checks two things:
 *  - handles: what keeps the event loop alive (process.getActiveResourcesInfo: sockets, child
 *    processes, ref'd timers...) compared with what was there before the file started — what makes
 *    jest say "A worker process has failed to exit gracefully";
 *  - PostgreSQL connections: test/helpers/db.ts hands over the backends still connected to a test
 *    database when the file drops it (globalThis.__govdbLeaks), and here every test database this
 *    worker created (`govdb_test_<pid>_…`) must be gone; one left behind is reported with its
 *    connections and then dropped.
 * Findings are reported with the file's name. They fail the file when GOVDB_LEAK_GUARD=strict, and
 * by default in CI (CI set); GOVDB_LEAK_GUARD=report only reports.
 */
const path = require('path');
const { TestEnvironment } = require('jest-environment-node');

function counts() {
  const m = new Map();
  for (const t of process.getActiveResourcesInfo()) m.set(t, (m.get(t) || 0) + 1);
  return m;
}

function leftovers(before) {
  const out = [];
  for (const [type, n] of counts()) {
    const extra = n - (before.get(type) || 0);
    if (extra > 0) out.push(`${type} ×${extra}`);
  }
  return out;
}

function strict() {
  const mode = process.env.GOVDB_LEAK_GUARD;
  if (mode === 'strict') return true;
  if (mode === 'report') return false;
  return Boolean(process.env.CI);
}

/**
 * Test databases of this worker that still exist, each with the backends connected to it; then drops
 * them (the file is over: nothing of it may still use them). Returns one finding per database.
 */
async function undroppedDatabases() {
  const url = process.env.GOVDB_TEST_DATABASE_URL;
  if (!url) return [];
  const { Client } = require('pg');
  const admin = new Client({ connectionString: url });
  await admin.connect();
  try {
    const { rows } = await admin.query(
      `select d.datname,
              (select count(*)::int from pg_stat_activity a where a.datname = d.datname and a.pid <> pg_backend_pid()) as connections
         from pg_database d where d.datname like $1`,
      [`govdb\\_test\\_${process.pid}\\_%`]);
    const found = [];
    for (const row of rows) {
      found.push(`test database ${row.datname} not dropped (${row.connections} connection(s) open)`);
      await admin.query(`drop database if exists "${row.datname}" with (force)`).catch(() => undefined);
    }
    return found;
  } finally {
    await admin.end();
  }
}

class LeakGuardEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.testPath = context.testPath;
  }

  async setup() {
    await super.setup();
    this.before = counts();
  }

  async teardown() {
    const reported = [...(this.global.__govdbLeaks || [])];
    const databases = await undroppedDatabases();
    // sockets and child processes close asynchronously after their owners' close(): give them a moment
    let left = leftovers(this.before);
    for (let i = 0; i < 40 && left.length; i++) {
      await new Promise((r) => setTimeout(r, 50));
      left = leftovers(this.before);
    }
    await super.teardown();
    const findings = [...reported, ...databases];
    if (left.length) findings.push(`${left.join(', ')} keeping the worker alive`);
    if (findings.length) {
      const message = `leak guard: ${path.relative(process.cwd(), this.testPath)} left ${findings.join('; ')}`;
      if (strict()) throw new Error(message);
      process.stderr.write(message + '\n');
    }
  }
}

module.exports = LeakGuardEnvironment;
