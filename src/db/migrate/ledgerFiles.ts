import { createHash } from 'crypto';
import { promises as fs } from 'fs';
import path from 'path';
import { GovdbError } from '../../errors';
import { CypherScript, parseCypherScript } from './cypherScript';

// graphile-migrate is pinned to an exact version: these modules are exported but not a supported API.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const gmMigration = require('graphile-migrate/dist/migration');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const gmHash = require('graphile-migrate/dist/hash');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const gmSettings = require('graphile-migrate/dist/settings');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Logger } = require('@graphile/logger');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const JSON5 = require('json5');

export interface SqlMigrationFile {
  kind: 'sql';
  version: number;
  name: string;
  /** path relative to the project root */
  file: string;
  checksum: string;
  /** the graphile-migrate parsed migration, passed back to its runner */
  gm: GmMigration;
}

export interface CypherMigrationFile {
  kind: 'cypher';
  sequence: number;
  name: string;
  file: string;
  checksum: string;
  script: CypherScript;
}

export interface FunctionFile {
  kind: 'function';
  name: string;
  file: string;
  checksum: string;
  text: string;
}

export interface GmMigration {
  realFilename: string;
  filename: string;
  message?: string;
  fullPath: string;
  hash: string;
  previousHash: string | null;
  body: string;
}

export interface LedgerFiles {
  root: string;
  sql: SqlMigrationFile[];
  cypher: CypherMigrationFile[];
  functions: FunctionFile[];
  gmSettings: unknown;
}

export function sha256(text: string): string {
  return 'sha256:' + createHash('sha256').update(text).digest('hex');
}

/** The project root holding .gmrc, migrations/, cypher/ and sql/functions/. */
export function defaultProjectRoot(): string {
  return path.resolve(__dirname, '..', '..', '..');
}

const silentLogger = new Logger(() => () => undefined);

export async function loadGraphileSettings(root: string, connectionString: string): Promise<unknown> {
  let raw: Record<string, unknown> = {};
  try {
    raw = JSON5.parse(await fs.readFile(path.join(root, '.gmrc'), 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new GovdbError('MIGRATION_FILE_INVALID', `Cannot read ${path.join(root, '.gmrc')}: ${(err as Error).message}`);
    }
  }
  const folder = typeof raw.migrationsFolder === 'string' ? raw.migrationsFolder : './migrations';
  return gmSettings.parseSettings(
    { ...raw, connectionString, migrationsFolder: path.resolve(root, folder), logger: silentLogger },
    false,
  );
}

async function listDir(dir: string, suffix: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).filter((f) => f.endsWith(suffix)).sort((a, b) => a.localeCompare(b, 'en'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

export async function loadLedgerFiles(root: string, connectionString: string): Promise<LedgerFiles> {
  const settings = await loadGraphileSettings(root, connectionString);
  let gmList: GmMigration[];
  try {
    gmList = await gmMigration.getAllMigrations(settings);
  } catch (err) {
    throw new GovdbError('MIGRATION_FILE_INVALID', `Invalid committed SQL migrations: ${(err as Error).message}`, { cause: err });
  }
  const sql = gmList.map((m): SqlMigrationFile => {
    const version = parseInt(m.filename, 10);
    const name = m.message ? m.message.trim().replace(/[^A-Za-z0-9]+/g, '_').toLowerCase() : `migration_${version}`;
    return {
      kind: 'sql',
      version,
      name,
      file: path.relative(root, m.fullPath),
      // What graphile-migrate computes from the body as it is on disk now; the ledger holds the
      // hash that was applied, so any edit after application shows up as a mismatch.
      checksum: gmHash.calculateHash(m.body, m.previousHash),
      gm: m,
    };
  });

  const cypherDir = path.join(root, 'cypher');
  const cypher: CypherMigrationFile[] = [];
  for (const f of await listDir(cypherDir, '.cypher')) {
    const match = /^([0-9]+)_([A-Za-z0-9_]+)\.cypher$/.exec(f);
    if (!match) {
      throw new GovdbError('MIGRATION_FILE_INVALID', `Cypher migration file name ${JSON.stringify(f)} must look like 0001_some_name.cypher`);
    }
    const text = await fs.readFile(path.join(cypherDir, f), 'utf8');
    const file = path.join('cypher', f);
    const sequence = parseInt(match[1]!, 10);
    if (cypher.some((c) => c.sequence === sequence)) {
      throw new GovdbError('MIGRATION_FILE_INVALID', `Two Cypher migrations share the number ${sequence}: rename ${file}`);
    }
    cypher.push({ kind: 'cypher', sequence, name: match[2]!, file, checksum: sha256(text), script: parseCypherScript(file, text) });
  }

  const fnDir = path.join(root, 'sql', 'functions');
  const functions: FunctionFile[] = [];
  for (const f of await listDir(fnDir, '.sql')) {
    const text = await fs.readFile(path.join(fnDir, f), 'utf8');
    functions.push({ kind: 'function', name: f.replace(/\.sql$/, ''), file: path.join('sql', 'functions', f), checksum: sha256(text), text });
  }
  return { root, sql, cypher, functions, gmSettings: settings };
}
