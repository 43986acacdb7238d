import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import path from 'path';
import { Client } from 'pg';
import { migrate } from '../migrate/migrate';
import { defaultProjectRoot } from '../migrate/ledgerFiles';
import { FUNCTION_SCHEMAS, readFunctions, readTypes } from './introspect';
import { GENERATED_HEADER, renderFunctions } from './render';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- zapatos/generate is CommonJS without an exported type entry
const { tsForConfig, finaliseConfig } = require('zapatos/generate');

const ROOT = defaultProjectRoot();
const OUT_DIR = path.join(ROOT, 'src', 'db', 'generated');

function serverUrl(): string {
  const url = process.env.GOVDB_CODEGEN_DATABASE_URL || process.env.GOVDB_TEST_DATABASE_URL;
  if (url) return url;
  return execFileSync('bash', [path.join(ROOT, 'scripts/db/pg-age.sh'), 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Drops the scratch database once the connections of this process to it have gone: pg-pool resolves
 * `end()` before the server has seen its connections close, and a `with (force)` drop at that moment
 * terminates them with FATAL 57P01, which a pool without an error listener (Zapatos') throws as an
 * unhandled 'error' event. So: plain DROP, retried for up to 5 s, then force.
 */
async function dropScratch(admin: Client, name: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await admin.query(`drop database if exists "${name}"`);
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== '55006') break; // 55006: object in use
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await admin.query(`drop database if exists "${name}" with (force)`).catch(() => undefined);
}

/** Generates every file's content from a freshly migrated scratch database. */
export async function generate(): Promise<Map<string, string>> {
  const server = serverUrl();
  const admin = new Client({ connectionString: server });
  await admin.connect();
  const scratch = `govdb_codegen_${process.pid}_${randomBytes(3).toString('hex')}`;
  await admin.query(`create database "${scratch}"`);
  const url = withDatabase(server, scratch);
  try {
    await migrate(url, { root: ROOT });
    const client = new Client({ connectionString: url });
    await client.connect();
    const files = new Map<string, string>();
    try {
      const functions = await readFunctions(client);
      const oids = functions.flatMap((f) => [f.returnTypeOid, ...f.params.map((p) => p.typeOid)]);
      const types = await readTypes(client, oids);
      files.set('functions.ts', renderFunctions(functions, types));
      // monthly audit partitions depend on the date of the migration: never part of the types
      const partitions = await client.query<{ schema: string; name: string }>(
        `select n.nspname as schema, c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where c.relispartition and n.nspname = any($1)`, [FUNCTION_SCHEMAS]);
      const schemas: Record<string, { include: '*'; exclude: string[] }> = {};
      for (const s of FUNCTION_SCHEMAS) schemas[s] = { include: '*', exclude: partitions.rows.filter((p) => p.schema === s).map((p) => p.name) };
      const config = finaliseConfig({ db: { connectionString: url }, outDir: OUT_DIR, schemas, warningListener: false, progressListener: false });
      const { ts, customTypeSourceFiles } = await tsForConfig(config, () => undefined);
      files.set(path.join('zapatos', 'schema.d.ts'), GENERATED_HEADER + ts);
      for (const [name, content] of Object.entries(customTypeSourceFiles as Record<string, string>)) {
        files.set(path.join('zapatos', 'custom', `${name}.d.ts`), GENERATED_HEADER + content);
      }
    } finally {
      await client.end();
    }
    return files;
  } finally {
    await dropScratch(admin, scratch);
    await admin.end();
  }
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Paths (relative to the project root) whose committed content differs from a fresh generation. */
export async function staleFiles(files: Map<string, string>): Promise<string[]> {
  const stale: string[] = [];
  for (const [rel, content] of files) {
    if ((await readIfExists(path.join(OUT_DIR, rel))) !== content) stale.push(path.relative(ROOT, path.join(OUT_DIR, rel)));
  }
  return stale;
}

export async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const files = await generate();
  const stale = check ? await staleFiles(files) : [];
  for (const [rel, content] of check ? [] : files) {
    const target = path.join(OUT_DIR, rel);
    const current = await readIfExists(target);
    if (current === content) continue;
    {
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, content);
      process.stderr.write(`codegen: wrote ${path.relative(ROOT, target)}\n`);
    }
  }
  if (check) {
    if (stale.length) {
      process.stderr.write(`codegen: generated files are stale: ${stale.join(', ')}\nRun \`npm run codegen\` and commit the result.\n`);
      return 1;
    }
    process.stderr.write('codegen: generated files are fresh\n');
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`codegen: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    },
  );
}
