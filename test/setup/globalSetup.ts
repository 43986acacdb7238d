import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import { readdirSync, readFileSync, statSync } from 'fs';
import path from 'path';
import { Client } from 'pg';

const ROOT = path.resolve(__dirname, '..', '..');

function ledgerHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else hash.update(path.relative(ROOT, full)).update(readFileSync(full));
    }
  };
  for (const dir of ['migrations', 'cypher', path.join('sql', 'functions')]) walk(path.join(ROOT, dir));
  hash.update(readFileSync(path.join(ROOT, '.gmrc')));
  return hash.digest('hex').slice(0, 12);
}

/**
 * Provisions PostgreSQL 17 + AGE and Redis (scripts/db/pg-age.sh) unless GOVDB_TEST_DATABASE_URL /
 * GOVDB_TEST_REDIS_URL point at existing servers, then builds a template database migrated by the
 * real CLI. Test files clone it (test/helpers/db.ts).
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.GOVDB_TEST_DATABASE_URL;
  if (!adminUrl) {
    adminUrl = execFileSync('bash', [path.join(ROOT, 'scripts/db/pg-age.sh'), 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  }
  if (!process.env.GOVDB_TEST_REDIS_URL) {
    execFileSync('bash', [path.join(ROOT, 'scripts/db/pg-age.sh'), 'redis'], { stdio: ['ignore', 'inherit', 'inherit'] });
    process.env.GOVDB_TEST_REDIS_URL = `redis://127.0.0.1:${process.env.GOVDB_REDIS_PORT || 6379}`;
  }
  const template = `govdb_tpl_${ledgerHash()}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [template]);
    if (!exists.rowCount) {
      const building = `${template}_building_${process.pid}`;
      await admin.query(`create database "${building}"`);
      const url = new URL(adminUrl);
      url.pathname = `/${building}`;
      execFileSync('node', [path.join(ROOT, 'bin/govdb.js'), 'migrate', '--database-url', url.toString()], { stdio: ['ignore', 'ignore', 'inherit'] });
      await admin.query(`alter database "${building}" rename to "${template}"`).catch(async (err) => {
        // another run built it concurrently
        await admin.query(`drop database if exists "${building}"`);
        if (!/already exists/.test(String(err.message))) throw err;
      });
    }
    // old templates from earlier ledger versions; only in CI, where no other run can be cloning them
    const stale = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname like 'govdb\\_tpl\\_%' and datname <> $1 and datname not like '%\\_building\\_%'`, [template]);
    if (process.env.CI) for (const row of stale.rows) await admin.query(`drop database if exists "${row.datname}"`).catch(() => undefined);
  } finally {
    await admin.end();
  }
  process.env.GOVDB_TEST_DATABASE_URL = adminUrl;
  process.env.GOVDB_TEST_TEMPLATE_DB = template;
}
