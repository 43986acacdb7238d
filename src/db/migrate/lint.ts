import { execFile } from 'child_process';
import { existsSync, promises as fs } from 'fs';
import path from 'path';
import { promisify } from 'util';
import { GovdbError } from '../../errors';
import { hasBom, hasCrlf } from './fileText';
import { transactionModeProblem } from './preview';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- graphile-migrate internals ship no type declarations and are not in its exports
const gmCurrent = require('graphile-migrate/dist/current');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- graphile-migrate internals ship no type declarations and are not in its exports
const gmHeader = require('graphile-migrate/dist/header');

const run = promisify(execFile);

/**
 * `govdb lint`: squawk (the PostgreSQL migration linter; its binary from the per-platform npm package
 * `@squawk-cli/linux-x64`, an optional dependency, see squawkBinary) over the migrations that are not yet everywhere: the
 * uncommitted migrations/current.sql and every committed migration numbered above the baseline
 * (`[govdb] lint_baseline` in .squawk.toml; older ones predate the linter). squawk's own settings
 * (pg_version, excluded_rules, assume_in_transaction) live in the same file.
 */

export interface LintFinding {
  /** path relative to the project root */
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
  /** squawk's rule name, or govdb-line-endings */
  rule: string;
  level: string;
  message: string;
  help: string | null;
}

export interface LintResult {
  baseline: number;
  /** files linted, relative to the root */
  files: string[];
  findings: LintFinding[];
}

export interface LintOptions {
  /** lint these files (relative to root or absolute) instead of current.sql + the migrations after the baseline */
  files?: string[];
}

interface SquawkViolation {
  file: string;
  line: number;
  column: number;
  level: string;
  message: string;
  help: string | null;
  rule_name: string;
}

export const LINT_CONFIG = '.squawk.toml';

/** Reads `[govdb] lint_baseline` from the root's .squawk.toml. */
export async function readLintBaseline(root: string): Promise<number> {
  const file = path.join(root, LINT_CONFIG);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new GovdbError('LINT_CONFIG_INVALID', `Cannot read ${LINT_CONFIG} in ${root}: ${(err as Error).message}`, {
      hint: 'govdb lint needs the project\'s .squawk.toml (squawk settings plus [govdb] lint_baseline).',
    });
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily: only `lint` reads squawk.toml
  const { parse } = require('smol-toml') as { parse(text: string): Record<string, unknown> };
  let config: Record<string, unknown>;
  try {
    config = parse(text);
  } catch (err) {
    throw new GovdbError('LINT_CONFIG_INVALID', `${LINT_CONFIG} is not valid TOML: ${(err as Error).message}`);
  }
  const baseline = (config.govdb as Record<string, unknown> | undefined)?.lint_baseline;
  if (typeof baseline !== 'number' || !Number.isInteger(baseline) || baseline < 0) {
    throw new GovdbError('LINT_CONFIG_INVALID', `${LINT_CONFIG}: [govdb] lint_baseline must be a non-negative integer (the last committed migration that predates the linter), got ${JSON.stringify(baseline)}.`);
  }
  return baseline;
}

/** The files `govdb lint` checks by default: current.sql when it has SQL, then committed migrations above the baseline. */
export async function filesToLint(root: string, baseline: number): Promise<string[]> {
  const files: string[] = [];
  const current = path.join('migrations', 'current.sql');
  if (existsSync(path.join(root, current))) {
    const text = await fs.readFile(path.join(root, current), 'utf8');
    if (text.replace(/--[^\n]*/g, '').trim()) files.push(current);
  }
  const committedDir = path.join(root, 'migrations', 'committed');
  const names = existsSync(committedDir) ? await fs.readdir(committedDir) : [];
  for (const name of names.filter((n) => gmCurrent.VALID_FILE_REGEX.test(n)).sort()) {
    if (parseInt(name, 10) > baseline) files.push(path.join('migrations', 'committed', name));
  }
  return files;
}

/**
 * The squawk binary of this platform. squawk ships one npm package per platform
 * (`@squawk-cli/<platform>-<arch>`); the project depends on the linux-x64 one as an optional
 * dependency (the machines it runs on; the npm mirror here serves no other platform's package, so the
 * `squawk-cli` wrapper, which lists all of them, cannot be locked). Errors: LINT_UNAVAILABLE.
 */
function squawkBinary(): string {
  const pkg = `@squawk-cli/${process.platform}-${process.arch}`;
  try {
    return require.resolve(`${pkg}/bin/${process.platform === 'win32' ? 'squawk.exe' : 'squawk'}`);
  } catch (err) {
    throw new GovdbError('LINT_UNAVAILABLE', `squawk is not installed for ${process.platform}-${process.arch}: ${(err as Error).message.split('\n')[0]}`, {
      hint: `On linux-x64 run \`npm ci\` with optional dependencies; elsewhere \`npm install --no-save ${pkg}@2.66.0\`.`,
    });
  }
}

async function runSquawk(root: string, files: string[], inTransaction: boolean): Promise<SquawkViolation[]> {
  if (!files.length) return [];
  const args = ['--config', path.join(root, LINT_CONFIG), '--reporter', 'json', ...(inTransaction ? [] : ['--no-assume-in-transaction']), ...files];
  let stdout: string;
  try {
    ({ stdout } = await run(squawkBinary(), args, { cwd: root, maxBuffer: 64 * 1024 * 1024 }));
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    // squawk exits non-zero on violations with some reporters and on parse errors: keep its JSON if it printed any
    if (e.stdout && e.stdout.trim().startsWith('[')) stdout = e.stdout;
    else throw new GovdbError('LINT_FAILED', `squawk failed: ${(e.stderr || e.message).trim()}`, { cause: err });
  }
  try {
    return JSON.parse(stdout || '[]') as SquawkViolation[];
  } catch (err) {
    throw new GovdbError('LINT_FAILED', `squawk printed no JSON report: ${stdout.slice(0, 500)}`, { cause: err });
  }
}

/**
 * Lints migrations with squawk and the project's configuration; never touches a database.
 * Errors: LINT_CONFIG_INVALID (no or bad .squawk.toml), LINT_UNAVAILABLE (no squawk binary),
 * LINT_FAILED (squawk crashed).
 */
export async function lintMigrations(root: string, options: LintOptions = {}): Promise<LintResult> {
  const baseline = await readLintBaseline(root);
  const files = (options.files ?? await filesToLint(root, baseline)).map((f) => path.relative(root, path.resolve(root, f)));
  const findings: LintFinding[] = [];
  const withTx: string[] = [];
  const withoutTx: string[] = [];
  for (const file of files) {
    const text = await fs.readFile(path.join(root, file), 'utf8').catch((err) => {
      throw new GovdbError('NOT_FOUND', `Cannot read ${file}: ${(err as Error).message}`);
    });
    if (hasCrlf(text) || hasBom(text)) {
      findings.push({
        file, line: 1, column: 1, rule: 'govdb-line-endings', level: 'Error',
        message: `${[hasCrlf(text) ? 'CRLF line endings' : '', hasBom(text) ? 'a byte-order mark (BOM)' : ''].filter(Boolean).join(' and ')}: graphile-migrate hashes the bytes and refuses CRLF headers`,
        help: 'Save as UTF-8 without BOM with LF line endings (.gitattributes pins eol=lf).',
      });
    }
    const body = text.replace(/^\uFEFF/, '').replace(/^(--! [A-Z][^\n]*\n)+\n/, '').trimStart();
    const transaction = !gmHeader.isNoTransactionDefined(body);
    (transaction ? withTx : withoutTx).push(file);
    // headers are SQL comments: the whole file parses, so lines are the file's
    const mode = await transactionModeProblem(text.replace(/^\uFEFF/, ''), transaction);
    if (mode) findings.push({ file, line: mode.line, column: 1, rule: 'govdb-transaction-mode', level: 'Error', message: mode.message, help: mode.hint });
  }
  const violations = [...await runSquawk(root, withTx, true), ...await runSquawk(root, withoutTx, false)];
  for (const v of violations) {
    findings.push({
      file: path.relative(root, path.resolve(root, v.file)), line: v.line + 1, column: v.column + 1,
      rule: v.rule_name, level: v.level, message: v.message, help: v.help ?? null,
    });
  }
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));
  return { baseline, files, findings };
}

/** Exit codes of `govdb lint`, documented in the README and docs/ci.md. */
export const LINT_EXIT = { CLEAN: 0, FINDINGS: 1, ERROR: 2 } as const;
