import { execFileSync } from 'child_process';
import { readFileSync } from 'fs';
import path from 'path';
import type { DbPool as Pool } from '../db/types';
import { migrate } from '../db/migrate/migrate';
import { connectClient, createPool } from '../db/pool';

export const ROOT = path.resolve(__dirname, '..', '..');

/**
 * The PostgreSQL server to benchmark on: GOVDB_BENCH_DATABASE_URL when set, else the benchmark's own
 * DURABLE PostgreSQL 17 + AGE (bench/pg-durable.sh: fsync, synchronous_commit, full_page_writes on),
 * started on demand. The tests' server (scripts/db/pg-age.sh) is not durable; a run against it is
 * recorded as such and cannot write docs figures.
 */
export function serverUrl(): string {
  const url = process.env.GOVDB_BENCH_DATABASE_URL;
  if (url) return url;
  return execFileSync('bash', [path.join(ROOT, 'bench', 'pg-durable.sh'), 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

export function redisUrl(): string {
  if (process.env.REDIS_URL) return process.env.REDIS_URL;
  execFileSync('bash', [path.join(ROOT, 'scripts/db/pg-age.sh'), 'redis'], { stdio: ['ignore', 'inherit', 'inherit'] });
  return 'redis://127.0.0.1:6379';
}

export function databaseUrl(server: string, name: string): string {
  const u = new URL(server);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function recreateDatabase(server: string, name: string): Promise<string> {
  const admin = await connectClient(server);
  try {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  return databaseUrl(server, name);
}

export async function dropDatabase(server: string, name: string): Promise<void> {
  const admin = await connectClient(server);
  try {
    await admin.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end();
  }
}

/** A migrated database for the benchmark, with a floor table for the insert+commit floor. */
export async function benchDatabase(server: string, name: string): Promise<{ url: string; pool: Pool }> {
  const url = await recreateDatabase(server, name);
  await migrate(url, { root: ROOT });
  const pool = createPool(url, { max: 8 });
  await pool.query('create table public.bench_floor (id bigint generated always as identity primary key, v int not null)');
  return { url, pool };
}

/**
 * A kept benchmark database (`--growth-keep`): reused when it exists and holds the marker row its
 * generation left (public.bench_generated: what was generated and how long it took), else created
 * and migrated like benchDatabase. A reused database is migrated again, so the stored functions are
 * the checkout's; the data and its generation times are the kept ones.
 */
export async function keptDatabase(server: string, name: string): Promise<{ url: string; pool: Pool; generated: { generateMs: number; projectMs: number } | null }> {
  const admin = await connectClient(server);
  let exists: boolean;
  try {
    exists = (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
  } finally {
    await admin.end();
  }
  if (exists) {
    const url = databaseUrl(server, name);
    const pool = createPool(url, { max: 8 });
    const { rows } = await pool.query<{ generate_ms: number; project_ms: number }>(
      `select generate_ms, project_ms from public.bench_generated where to_regclass('public.bench_generated') is not null`,
    ).catch(() => ({ rows: [] as { generate_ms: number; project_ms: number }[] }));
    if (rows[0]) {
      await pool.end();
      await migrate(url, { root: ROOT });
      return { url, pool: createPool(url, { max: 8 }), generated: { generateMs: rows[0].generate_ms, projectMs: rows[0].project_ms } };
    }
    await pool.end();
  }
  return { ...(await benchDatabase(server, name)), generated: null };
}

/** Records, in a kept database, that its generation finished (keptDatabase reuses only such a database). */
export async function markGenerated(pool: Pool, generated: { generateMs: number; projectMs: number }): Promise<void> {
  await pool.query('create table public.bench_generated (generate_ms bigint not null, project_ms bigint not null)');
  await pool.query('insert into public.bench_generated values ($1, $2)', [generated.generateMs, generated.projectMs]);
}

/** Generates agents, discoveries and edges (bench/sql/generate_knowledge.sql) and projects them into AGE. */
export async function generateKnowledge(pool: Pool, counts: { agents: number; discoveries: number; edges: number; seed: number }): Promise<{ generateMs: number; projectMs: number }> {
  const sql = readFileSync(path.join(ROOT, 'bench', 'sql', 'generate_knowledge.sql'), 'utf8');
  const client = await pool.connect();
  try {
    const t0 = Date.now();
    await client.query(sql);
    await client.query('select pg_temp.bench_generate_knowledge($1, $2, $3, $4)', [counts.agents, counts.discoveries, counts.edges, counts.seed]);
    await client.query('analyze');
    const t1 = Date.now();
    await client.query('select * from knowledge.graph_rebuild()');
    // the steady state autovacuum reaches on a live database: statistics plus a visibility map,
    // without which index-only scans (the covering search index) fall back to the heap
    await client.query('vacuum (analyze)');
    return { generateMs: t1 - t0, projectMs: Date.now() - t1 };
  } finally {
    client.release();
  }
}
