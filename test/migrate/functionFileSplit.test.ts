import { execFile } from 'child_process';
import { promises as fs } from 'fs';
import path from 'path';
import { promisify } from 'util';
import { migrate } from '../../src/db/migrate/migrate';
import { createEmptyDatabase, createMigratedDatabase, TestDatabase } from '../helpers/db';
import { copyLedger, ROOT } from './ledgerHelpers';

/**
 * Function files were split by concern (knowledge.sql into knowledge.sql / knowledge_read.sql /
 * knowledge_search.sql, agents.sql into agents.sql / agent_lifecycle.sql) and the two tag normalisers
 * became one (tags.sql). A database migrated before that must reach exactly the function set of a
 * fresh database by a plain `govdb migrate`, and `govdb status` must then report it up to date: a
 * function file that no longer exists is listed as missing but is not a problem (its functions live
 * on in the database, now owned by the files that define them).
 */

const run = promisify(execFile);
const CLI = path.join(ROOT, 'bin', 'govdb.js');
const FN = (root: string, file: string) => path.join(root, 'sql', 'functions', file);

/** The two normalisers that core.normalize_tags replaced, as they were defined before. */
const OLD_NORMALISERS = `
create or replace function core.normalize_agent_tags(p_tags text[]) returns text[]
language sql immutable parallel safe as $$
  select coalesce(array_agg(distinct t order by t), '{}')
  from (select lower(btrim(x)) as t from unnest(p_tags) as u(x)) n where t is not null and t <> ''
$$;
create or replace function knowledge.normalize_tags(p_tags text[]) returns text[]
language sql immutable as $fn$
  select coalesce(array_agg(t.tag order by t.first_seen), '{}')
  from (select lower(btrim(x)) as tag, min(ord) as first_seen
          from unnest(coalesce(p_tags, '{}')) with ordinality as u(x, ord)
         where btrim(coalesce(x, '')) <> '' group by lower(btrim(x))) t
$fn$;
`;

/**
 * The layout before the split, built from this checkout: knowledge's three files as one file under
 * another name (so that one file disappears), agents' two files as one agents.sql, no tags.sql but
 * the old normalisers.
 */
async function layoutBeforeSplit(): Promise<string> {
  const root = await copyLedger();
  const read = (f: string) => fs.readFile(FN(root, f), 'utf8');
  const knowledge = [await read('knowledge.sql'), await read('knowledge_read.sql'), await read('knowledge_search.sql'), OLD_NORMALISERS].join('\n');
  const agents = [await read('agent_lifecycle.sql'), await read('agents.sql')].join('\n');
  for (const f of ['knowledge.sql', 'knowledge_read.sql', 'knowledge_search.sql', 'agent_lifecycle.sql', 'tags.sql']) await fs.rm(FN(root, f));
  await fs.writeFile(FN(root, 'knowledge_all.sql'), knowledge);
  await fs.writeFile(FN(root, 'agents.sql'), agents);
  return root;
}

async function functionSet(db: TestDatabase): Promise<string[]> {
  const { rows } = await db.pool.query<{ line: string }>(
    `select p.oid::regprocedure::text || ' ' || md5(pg_get_functiondef(p.oid)) || ' ' || coalesce(md5(obj_description(p.oid, 'pg_proc')), '-') as line
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname in ('core', 'knowledge', 'audit') and p.prokind = 'f'
      order by 1`);
  return rows.map((r) => r.line);
}

let db: TestDatabase;
let fresh: TestDatabase;
let before: string;
beforeAll(async () => {
  [db, fresh, before] = await Promise.all([createEmptyDatabase(), createMigratedDatabase(), layoutBeforeSplit()]);
});
afterAll(async () => {
  await Promise.all([db.drop(), fresh.drop(), fs.rm(before, { recursive: true, force: true })]);
});

test('a database migrated before the split reaches the fresh function set by a plain migrate, and status is up to date', async () => {
  await migrate(db.url, { root: before });
  expect((await db.pool.query(`select to_regprocedure('core.normalize_agent_tags(text[])') as f`)).rows[0].f).not.toBeNull();

  const result = await migrate(db.url);
  expect(result.applied.map((a) => a.file).sort()).toEqual([
    'sql/functions/agent_lifecycle.sql', 'sql/functions/agents.sql', 'sql/functions/knowledge.sql',
    'sql/functions/knowledge_read.sql', 'sql/functions/knowledge_search.sql', 'sql/functions/tags.sql',
  ]);
  expect(await functionSet(db)).toEqual(await functionSet(fresh));

  const { stdout } = await run('node', [CLI, 'status', '--json', '--database-url', db.url]);
  const status = JSON.parse(stdout);
  expect(status.ok).toBe(true);
  expect(status.problems).toEqual([]);
  expect(status.pending).toEqual({ sql: 0, cypher: 0, function: 0 });
  expect(status.changed).toEqual({ sql: 0, cypher: 0, function: 0 });
  expect(status.items.filter((i: { state: string }) => i.state === 'missing').map((i: { kind: string; file: string }) => `${i.kind} ${i.file}`))
    .toEqual(['function sql/functions/knowledge_all.sql']);
  expect((await migrate(db.url)).applied).toEqual([]);
});

test('every function file of this checkout is under ~600 lines', async () => {
  const dir = path.join(ROOT, 'sql', 'functions');
  const long: string[] = [];
  for (const f of (await fs.readdir(dir)).filter((n) => n.endsWith('.sql'))) {
    const lines = (await fs.readFile(path.join(dir, f), 'utf8')).split('\n').length;
    if (lines > 620) long.push(`${f}: ${lines} lines`);
  }
  expect(long).toEqual([]);
});
