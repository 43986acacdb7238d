import { spawn, spawnSync } from 'child_process';
import { existsSync, promises as fs } from 'fs';
import os from 'os';
import path from 'path';
import { GovdbError } from '../errors';

/**
 * The PostgreSQL client programs (pg_dump, pg_restore) of the SERVER's major version: an older
 * pg_dump refuses a newer server, and a dump is only as faithful as the pg_dump that wrote it.
 *
 * Where they are looked for, first hit wins:
 *   1. $GOVDB_PG_BIN (a directory holding pg_dump and pg_restore), run as they are;
 *   2. /usr/lib/postgresql/<major>/bin on this host (Debian/Ubuntu layout);
 *   3. the Debian 13 root scripts/db/pg-age.sh builds on Debian 12 hosts
 *      ($GOVDB_CACHE_DIR or ~/.cache/govdb, /debian13-pg17-age), entered with chroot (needs root);
 *   4. pg_dump/pg_restore on PATH.
 * The version each one reports is checked against the server's major before it is used. Files
 * are handed over as open file descriptors (stdin/stdout), so the same calls work inside a chroot.
 */
export interface PgTool {
  /** pg_dump or pg_restore */
  name: string;
  /** what is executed, and the arguments that come before the tool's own */
  command: string;
  prefix: string[];
  /** how it was found, for messages and the manifest */
  via: string;
  /** `pg_dump (PostgreSQL) 17.12 (Debian 17.12-0+deb13u1)` */
  version: string;
  major: number;
}

export function chrootRoot(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.GOVDB_CACHE_DIR || path.join(env.HOME || os.homedir(), '.cache', 'govdb'), 'debian13-pg17-age');
}

interface Candidate {
  command: string;
  prefix: string[];
  via: string;
}

function candidates(name: string, major: number, env: NodeJS.ProcessEnv): Candidate[] {
  const list: Candidate[] = [];
  if (env.GOVDB_PG_BIN) list.push({ command: path.join(env.GOVDB_PG_BIN, name), prefix: [], via: `$GOVDB_PG_BIN (${env.GOVDB_PG_BIN})` });
  const hostBin = `/usr/lib/postgresql/${major}/bin/${name}`;
  if (existsSync(hostBin)) list.push({ command: hostBin, prefix: [], via: hostBin });
  const root = chrootRoot(env);
  if (existsSync(path.join(root, `usr/lib/postgresql/${major}/bin/${name}`))) {
    list.push({ command: 'chroot', prefix: [root, `/usr/lib/postgresql/${major}/bin/${name}`], via: `chroot ${root}` });
  }
  list.push({ command: name, prefix: [], via: 'PATH' });
  return list;
}

/** Major version of a `--version` line: 17 of "pg_dump (PostgreSQL) 17.12 (Debian ...)". */
export function parseToolMajor(versionLine: string): number | null {
  const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(versionLine);
  return m ? Number(m[1]) : null;
}

/**
 * Finds `name` for the server's major version. Throws TOOL_VERSION_MISMATCH (with every candidate
 * tried and its version) when none matches: never falls back to another major.
 */
export function findPgTool(name: 'pg_dump' | 'pg_restore', serverMajor: number, env: NodeJS.ProcessEnv = process.env): PgTool {
  const tried: string[] = [];
  for (const c of candidates(name, serverMajor, env)) {
    const out = spawnSync(c.command, [...c.prefix, '--version'], { encoding: 'utf8', env, timeout: 20_000 });
    if (out.error || out.status !== 0) {
      tried.push(`${c.via}: ${out.error ? out.error.message : (out.stderr || '').trim() || `exit ${out.status}`}`);
      continue;
    }
    const version = out.stdout.trim();
    const major = parseToolMajor(version);
    if (major === serverMajor) return { name, ...c, version, major };
    tried.push(`${c.via}: ${version} (major ${major ?? '?'})`);
  }
  throw new GovdbError('TOOL_VERSION_MISMATCH', `No ${name} of PostgreSQL ${serverMajor} (the server's major version) was found. Tried:\n  - ${tried.join('\n  - ')}`, {
    hint: `Install the PostgreSQL ${serverMajor} client programs, or set GOVDB_PG_BIN to the directory holding ${name} ${serverMajor}.`,
  });
}

/** Connection arguments without the password in argv (it goes through PGPASSWORD). */
export function connectionArgs(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (password) env.PGPASSWORD = password;
  return { dbname: parsed.toString(), env };
}

export interface RunResult {
  code: number;
  stderr: string;
}

/**
 * Runs a tool with stdin/stdout bound to files (by descriptor) and collects stderr. `onStderr`
 * sees stderr as it arrives (verbose progress). Throws nothing: the caller judges the exit code.
 */
export async function runTool(
  tool: PgTool,
  args: string[],
  io: { stdinFile?: string; stdoutFile?: string; env?: NodeJS.ProcessEnv; onStderr?: (chunk: string) => void } = {},
): Promise<RunResult & { stdout: string }> {
  const stdin = io.stdinFile ? await fs.open(io.stdinFile, 'r') : undefined;
  const stdout = io.stdoutFile ? await fs.open(io.stdoutFile, 'w', 0o600) : undefined;
  try {
    return await new Promise((resolve, reject) => {
      const child = spawn(tool.command, [...tool.prefix, ...args], {
        env: io.env ?? process.env,
        stdio: [stdin ? stdin.fd : 'ignore', stdout ? stdout.fd : 'pipe', 'pipe'],
      });
      let err = '';
      let out = '';
      child.stderr!.setEncoding('utf8').on('data', (c: string) => {
        err += c;
        if (err.length > 1_000_000) err = err.slice(-500_000);
        io.onStderr?.(c);
      });
      child.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stderr: err, stdout: out }));
    });
  } finally {
    if (stdout) {
      await stdout.sync().catch(() => undefined);
      await stdout.close();
    }
    await stdin?.close();
  }
}

/**
 * Writes a small file the tool must read by name (e.g. pg_restore --use-list): inside the chroot
 * when the tool runs in one. Returns the path as the tool sees it and a cleanup function.
 */
export async function writeToolFile(tool: PgTool, name: string, content: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const unique = `govdb-${process.pid}-${Date.now()}-${name}`;
  const hostDir = tool.command === 'chroot' ? path.join(tool.prefix[0]!, 'tmp') : os.tmpdir();
  const hostFile = path.join(hostDir, unique);
  await fs.writeFile(hostFile, content, { mode: 0o644 });
  return {
    path: tool.command === 'chroot' ? `/tmp/${unique}` : hostFile,
    cleanup: () => fs.rm(hostFile, { force: true }),
  };
}
