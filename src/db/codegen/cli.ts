import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import { promises as fs, readFileSync } from 'fs';
import path from 'path';
import { Client } from 'pg';
import { migrate } from '../migrate/migrate';
import { defaultProjectRoot } from '../migrate/ledgerFiles';
import { finaliseConfig, tsForConfig } from 'zapatos/generate';
import { FUNCTION_SCHEMAS, readCodegenCatalog } from './introspect';
import { renderEnums, renderFunctions } from './render';
import { CODEGEN_FORMAT, generatedHeader, readStamp, Stamp, stampDifference } from './stamp';

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

/** The installed Zapatos version (its package.json is not exported, so read from the package root). */
function zapatosVersion(): string {
  const pkg = path.join(path.dirname(require.resolve('zapatos/generate')), 'package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

export interface Generated {
  /** path relative to src/db/generated → content */
  files: Map<string, string>;
  stamp: Stamp;
}

/** Generates every file's content from a freshly migrated scratch database. */
export async function generate(): Promise<Generated> {
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
      const catalog = await readCodegenCatalog(client);
      const stamp: Stamp = { format: CODEGEN_FORMAT, zapatos: zapatosVersion(), postgres: catalog.postgresMajor };
      const header = generatedHeader(stamp);
      files.set('enums.ts', renderEnums(header, catalog.enums));
      files.set('functions.ts', renderFunctions(header, catalog.functions, catalog.types));
      // monthly audit partitions depend on the date of the migration: never part of the types
      const partitions = await client.query<{ schema: string; name: string }>(
        `select n.nspname as schema, c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where c.relispartition and n.nspname = any($1)`, [FUNCTION_SCHEMAS]);
      const schemas: Record<string, { include: '*'; exclude: string[] }> = {};
      for (const s of FUNCTION_SCHEMAS) schemas[s] = { include: '*', exclude: partitions.rows.filter((p) => p.schema === s).map((p) => p.name) };
      const config = finaliseConfig({ db: { connectionString: url }, outDir: OUT_DIR, schemas, warningListener: false, progressListener: false });
      const { ts, customTypeSourceFiles } = await tsForConfig(config, () => undefined);
      files.set(path.join('zapatos', 'schema.d.ts'), header + ts);
      for (const [name, content] of Object.entries(customTypeSourceFiles)) {
        files.set(path.join('zapatos', 'custom', `${name}.d.ts`), header + content);
      }
      return { files, stamp };
    } finally {
      await client.end();
    }
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

/** Files under `dir`, relative to it. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  // parentPath is Node >= 20.12; older 20.x name it path
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath ?? (e as { path?: string }).path ?? dir, e.name)));
}

/**
 * One line per committed generated file that differs from a fresh generation, saying why: a
 * different generator version (the stamp), a changed schema, missing, or no longer generated.
 * Empty when everything is fresh.
 */
export async function staleFiles({ files, stamp }: Generated, outDir = OUT_DIR): Promise<string[]> {
  const stale: string[] = [];
  const shown = (rel: string) => path.relative(ROOT, path.join(outDir, rel));
  for (const [rel, content] of files) {
    const committed = await readIfExists(path.join(outDir, rel));
    if (committed === content) continue;
    const why = committed === undefined ? 'it is missing'
      : stampDifference(readStamp(committed), stamp) ?? 'the migrations or sql/functions changed since it was generated';
    stale.push(`${shown(rel)}: ${why}`);
  }
  for (const rel of await listFiles(outDir)) {
    if (!files.has(rel)) stale.push(`${shown(rel)}: codegen no longer generates it (delete it)`);
  }
  return stale;
}

export async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const generated = await generate();
  const stale = check ? await staleFiles(generated) : [];
  if (!check) {
    for (const [rel, content] of generated.files) {
      const target = path.join(OUT_DIR, rel);
      if ((await readIfExists(target)) === content) continue;
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, content);
      process.stderr.write(`codegen: wrote ${path.relative(ROOT, target)}\n`);
    }
    for (const rel of await listFiles(OUT_DIR)) {
      if (generated.files.has(rel)) continue;
      await fs.rm(path.join(OUT_DIR, rel));
      process.stderr.write(`codegen: deleted ${path.relative(ROOT, path.join(OUT_DIR, rel))} (no longer generated)\n`);
    }
  }
  if (check) {
    if (stale.length) {
      process.stderr.write(`codegen: generated files are stale:\n${stale.map((l) => `  ${l}\n`).join('')}Run \`npm run codegen\` and commit the result.\n`);
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
