import { promises as fs } from 'fs';
import path from 'path';
import { GovdbError } from '../../errors';
import { CypherScript, parseCypherScript } from './cypherScript';
import { assertSqlMigrationText, legacyTextChecksums, normaliseText, textChecksum } from './fileText';
import { MigrationTimeouts, parseDuration } from './timeouts';

// graphile-migrate is pinned to an exact version: these modules are exported but not a supported API.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- graphile-migrate internals ship no type declarations and are not in its exports
const gmMigration = require('graphile-migrate/dist/migration');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- graphile-migrate internals ship no type declarations and are not in its exports
const gmHash = require('graphile-migrate/dist/hash');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- graphile-migrate internals ship no type declarations and are not in its exports
const gmSettings = require('graphile-migrate/dist/settings');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- graphile-migrate internals ship no type declarations and are not in its exports
const gmCurrent = require('graphile-migrate/dist/current');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- graphile-migrate internals ship no type declarations and are not in its exports
const gmHeader = require('graphile-migrate/dist/header');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- graphile-migrate's logger, required the way graphile-migrate does (no esModuleInterop default)
const { Logger } = require('@graphile/logger');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- json5 loaded the way graphile-migrate loads it, for the same .gmrc parse
const JSON5 = require('json5');

export interface SqlMigrationFile {
  kind: 'sql';
  version: number;
  name: string;
  /** path relative to the project root */
  file: string;
  /**
   * graphile-migrate's hash of the body on disk, chained to the Previous header. This is what the
   * ledger records for it (the core.record_sql_migration trigger stores the Hash header, which equals
   * it for every migration without AllowInvalidHash; govdb migrate stores it for those with it).
   */
  checksum: string;
  /** the Hash header: the migration's identity in graphile-migrate's chain */
  headerHash: string;
  /** `--! AllowInvalidHash`: the Hash header deliberately differs from the body's hash */
  allowInvalidHash: boolean;
  /** false when the body starts with `--! no-transaction` */
  transaction: boolean;
  /** 1-based line of the file on which the body (what runs) starts */
  bodyLine: number;
  /** `--! LockTimeout: 5s` / `--! StatementTimeout: 30min` headers */
  timeouts: Partial<MigrationTimeouts>;
  /**
   * Why graphile-migrate would refuse to run it as it is (Hash header not matching the body without
   * AllowInvalidHash, or AllowInvalidHash on a matching hash); null when it would run.
   */
  hashProblem: string | null;
  /** the graphile-migrate parsed migration */
  gm: GmMigration;
}

export interface CypherMigrationFile {
  kind: 'cypher';
  sequence: number;
  name: string;
  file: string;
  /** sha256 of the LF-normalised text without BOM */
  checksum: string;
  /** what versions before LF normalisation stored for this content saved with CRLF or a BOM */
  legacyChecksums: string[];
  script: CypherScript;
}

export interface FunctionFile {
  kind: 'function';
  name: string;
  file: string;
  /** sha256 of the LF-normalised text without BOM */
  checksum: string;
  legacyChecksums: string[];
  /** the LF-normalised text without BOM, as it is applied */
  text: string;
}

export interface GmMigration {
  realFilename: string;
  filename: string;
  message?: string;
  fullPath: string;
  hash: string;
  previousHash: string | null;
  allowInvalidHash: boolean;
  body: string;
}

export interface LedgerFiles {
  root: string;
  sql: SqlMigrationFile[];
  cypher: CypherMigrationFile[];
  functions: FunctionFile[];
  gmSettings: unknown;
}

export { sha256 } from './fileText';

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

/** graphile-migrate headers govdb honours; any other header is refused (graphile-migrate 1.4.1 would ignore it). */
const KNOWN_HEADERS = new Set(['Previous', 'Hash', 'Message', 'AllowInvalidHash', 'LockTimeout', 'StatementTimeout']);

function invalid(file: string, reason: string, hint?: string): GovdbError {
  return new GovdbError('MIGRATION_FILE_INVALID', `${file}: ${reason}`, { file, ...(hint ? { hint } : {}) });
}

/**
 * Reads the committed SQL migrations' raw text first, so that a CRLF/BOM file or a header govdb
 * cannot honour is refused with its reason before graphile-migrate parses the folder.
 */
async function precheckCommitted(root: string, folder: string): Promise<Map<string, string>> {
  const dir = path.join(folder, 'committed');
  const texts = new Map<string, string>();
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return texts;
    throw err;
  }
  for (const name of names.filter((n) => gmCurrent.VALID_FILE_REGEX.test(n)).sort()) {
    const full = path.join(dir, name);
    const file = path.relative(root, full);
    const text = await fs.readFile(full, 'utf8');
    assertSqlMigrationText(file, text);
    const lines = text.split('\n');
    let i = 0;
    for (; i < lines.length && lines[i]!.startsWith('--!'); i++) {
      const m = /^--! ([A-Z][a-zA-Z0-9_]*)(?::(.*))?$/.exec(lines[i]!);
      if (!m) {
        throw invalid(file, `line ${i + 1} ${JSON.stringify(lines[i])} is not a graphile-migrate header.`,
          'Headers look like `--! Name: value` (Previous, Hash, Message, AllowInvalidHash, LockTimeout, StatementTimeout); `--! no-transaction` goes on the first line after the blank line that ends the headers.');
      }
      if (!KNOWN_HEADERS.has(m[1]!)) {
        throw invalid(file, `header "${m[1]}" (line ${i + 1}) is not one govdb can honour: graphile-migrate 1.4.1 ignores unknown headers, so its intent would be lost.`,
          `Known headers: ${[...KNOWN_HEADERS].join(', ')}. Remove it or make it a plain comment (-- ...).`);
      }
      if (m[1] === 'LockTimeout' || m[1] === 'StatementTimeout') parseDuration(m[2] ?? '', `${file} header ${m[1]} (line ${i + 1})`);
    }
    // after the header block: only `--! no-transaction`, and only on the body's first line
    let firstBodyLine = true;
    for (let j = i; j < lines.length; j++) {
      const line = lines[j]!;
      if (firstBodyLine && line.trim() === '') continue;
      if (/^--!/.test(line) && !(firstBodyLine && /^--!\s*no-transaction\b/.test(line))) {
        throw invalid(file, `line ${j + 1} ${JSON.stringify(line)} is a directive govdb cannot honour here: graphile-migrate reads headers only in the leading block and \`--! no-transaction\` only as the first line of the body; elsewhere it would silently be a comment.`,
          'Move headers to the leading block (ended by one blank line), put `--! no-transaction` on the first line after it, or write a plain comment (-- ...).');
      }
      firstBodyLine = false;
    }
    texts.set(full, text);
  }
  return texts;
}

export async function loadLedgerFiles(root: string, connectionString: string): Promise<LedgerFiles> {
  const settings = await loadGraphileSettings(root, connectionString);
  const texts = await precheckCommitted(root, (settings as { migrationsFolder: string }).migrationsFolder);
  let gmList: GmMigration[];
  try {
    gmList = await gmMigration.getAllMigrations(settings);
  } catch (err) {
    throw new GovdbError('MIGRATION_FILE_INVALID', `Invalid committed SQL migrations: ${(err as Error).message}`, { cause: err });
  }
  const sql = gmList.map((m): SqlMigrationFile => {
    const version = parseInt(m.filename, 10);
    const name = m.message ? m.message.trim().replace(/[^A-Za-z0-9]+/g, '_').toLowerCase() : `migration_${version}`;
    const file = path.relative(root, m.fullPath);
    const text = texts.get(path.resolve(m.fullPath)) ?? '';
    const { headers } = gmMigration.parseMigrationText(m.fullPath, text) as { headers: Record<string, string | null> };
    // What graphile-migrate computes from the body as it is on disk now; the ledger holds the
    // checksum that was applied, so any edit after application shows up as a mismatch.
    const checksum: string = gmHash.calculateHash(m.body, m.previousHash);
    let hashProblem: string | null = null;
    if (checksum !== m.hash && !m.allowInvalidHash) {
      hashProblem = `${file}: its body does not match its Hash header (${m.hash}; the body hashes to ${checksum}): the file was edited after it was committed. Put the change in a new migration, or, before it is applied anywhere, rehash with \`node scripts/rehash-uncommitted-migrations.js ${version}\`.`;
    } else if (checksum === m.hash && m.allowInvalidHash) {
      hashProblem = `${file}: has AllowInvalidHash but its hash is valid; graphile-migrate refuses that. Remove the AllowInvalidHash header.`;
    }
    const lines = text.split('\n');
    let bodyIndex = Object.keys(headers).length;
    while (bodyIndex < lines.length - 1 && lines[bodyIndex]!.trim() === '') bodyIndex++;
    const timeouts: Partial<MigrationTimeouts> = {};
    if (headers.LockTimeout) timeouts.lockTimeout = parseDuration(headers.LockTimeout, `${file} header LockTimeout`);
    if (headers.StatementTimeout) timeouts.statementTimeout = parseDuration(headers.StatementTimeout, `${file} header StatementTimeout`);
    return {
      kind: 'sql',
      version,
      name,
      file,
      checksum,
      headerHash: m.hash,
      allowInvalidHash: !!m.allowInvalidHash,
      transaction: !gmHeader.isNoTransactionDefined(m.body),
      bodyLine: bodyIndex + 1,
      timeouts,
      hashProblem,
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
    const raw = await fs.readFile(path.join(cypherDir, f), 'utf8');
    const file = path.join('cypher', f);
    const sequence = parseInt(match[1]!, 10);
    if (cypher.some((c) => c.sequence === sequence)) {
      throw new GovdbError('MIGRATION_FILE_INVALID', `Two Cypher migrations share the number ${sequence}: rename ${file}`);
    }
    cypher.push({
      kind: 'cypher', sequence, name: match[2]!, file,
      checksum: textChecksum(raw), legacyChecksums: legacyTextChecksums(raw),
      script: parseCypherScript(file, normaliseText(raw)),
    });
  }

  const fnDir = path.join(root, 'sql', 'functions');
  const functions: FunctionFile[] = [];
  for (const f of await listDir(fnDir, '.sql')) {
    const raw = await fs.readFile(path.join(fnDir, f), 'utf8');
    functions.push({
      kind: 'function', name: f.replace(/\.sql$/, ''), file: path.join('sql', 'functions', f),
      checksum: textChecksum(raw), legacyChecksums: legacyTextChecksums(raw), text: normaliseText(raw),
    });
  }
  return { root, sql, cypher, functions, gmSettings: settings };
}
