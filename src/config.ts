import os from 'os';
import path from 'path';
import { GovdbError } from './errors';

/** Environment, validated once. All problems are collected before throwing. */
export interface Config {
  /** PostgreSQL URL; undefined means the embedded store. */
  postgresUrl: string | undefined;
  /** DB_POSTGRES_DIRECT_URL: the primary itself when DB_POSTGRES_URL is a pooler (migrations, leader lock); default DB_POSTGRES_URL */
  postgresDirectUrl: string | undefined;
  /** DB_POSTGRES_POOLER=transaction: DB_POSTGRES_URL is PgBouncer in transaction mode (no per-connection session setup) */
  postgresPooler: 'none' | 'transaction';
  redisUrl: string | undefined;
  port: number;
  host: string;
  sessionTtlHours: number;
  adminToken: string | undefined;
  /** absolute; GOVDB_DATA_DIR, else `defaultDataDir()` (never the working directory) */
  dataDir: string;
  auditLogPath: string;
  migrateLockTimeoutMs: number;
  /** GOVDB_ONBOARD_TOKEN: when set, onboard (without spawn) needs it (onboard_token or X-Onboard-Token) */
  onboardToken: string | undefined;
  /** GOVDB_ONBOARD_PER_ADDRESS_PER_HOUR (default 20): new agents per client address per hour */
  onboardPerAddressPerHour: number;
  /** GOVDB_ONBOARD_TOTAL_PER_HOUR (default 200): new agents per hour over all clients (shared via Redis) */
  onboardTotalPerHour: number;
  /**
   * GOVDB_POOL_IDLE_MS: milliseconds before the pool closes an idle connection. Unset: 10 000 for
   * PostgreSQL, never (0) for the embedded store, whose single backend session must not be replaced.
   */
  poolIdleMs: number | undefined;
  /** GOVDB_PREPARED_STATEMENTS=off: unnamed statements only (PgBouncer without prepared-statement support) */
  namedStatements: boolean;
  /** limits of MCP sessions over Streamable HTTP (see docs/operations.md) */
  sessions: SessionLimits;
}

/** Bounds of the HTTP MCP sessions of one server process. */
export interface SessionLimits {
  /** GOVDB_SESSION_IDLE_MS: a session without a request for this long is closed (ms; default 30 min) */
  idleMs: number;
  /** GOVDB_MAX_SESSIONS: live sessions per server process (default 1000) */
  maxSessions: number;
  /** GOVDB_MAX_SESSIONS_PER_CLIENT: live sessions per client address (default 100) */
  maxSessionsPerClient: number;
  /** GOVDB_INITIALIZE_PER_MINUTE: `initialize` requests per client address per minute (default 60) */
  initializePerMinute: number;
}

/** Session bounds when the environment sets none. */
export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 30 * 60_000, maxSessions: 1000, maxSessionsPerClient: 100, initializePerMinute: 60 };

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name}=${JSON.stringify(raw)} must be an integer between ${min} and ${max}`);
    return fallback;
  }
  return value;
}

/**
 * The user's data directory for govdb, following the XDG Base Directory specification:
 * `$XDG_DATA_HOME/govdb` when XDG_DATA_HOME is set to an absolute path, else
 * `<home>/.local/share/govdb` (home from $HOME, else the OS account's home). Never the working
 * directory. The directory is not created here. Used for the embedded store (`pglite/`), the audit
 * log (`audit_log.jsonl`) and, by `govdb import`, checkpoints and quarantine files.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'govdb');
  const home = env.HOME && path.isAbsolute(env.HOME) ? env.HOME : os.homedir();
  return path.join(home, '.local', 'share', 'govdb');
}

/** GOVDB_DATA_DIR (resolved to an absolute path) or `defaultDataDir(env)`. */
export function dataDirFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.GOVDB_DATA_DIR ? path.resolve(env.GOVDB_DATA_DIR) : defaultDataDir(env);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const postgresUrl = env.DB_POSTGRES_URL || undefined;
  if (postgresUrl && !/^postgres(ql)?:\/\//.test(postgresUrl)) {
    problems.push(`DB_POSTGRES_URL must start with postgres:// or postgresql:// (got a value starting ${JSON.stringify(postgresUrl.slice(0, 12))})`);
  }
  const directUrl = env.DB_POSTGRES_DIRECT_URL || undefined;
  if (directUrl && !/^postgres(ql)?:\/\//.test(directUrl)) problems.push('DB_POSTGRES_DIRECT_URL must start with postgres:// or postgresql://');
  const pooler = env.DB_POSTGRES_POOLER || 'none';
  if (pooler !== 'none' && pooler !== 'transaction') problems.push(`DB_POSTGRES_POOLER must be "none" or "transaction" (got ${JSON.stringify(pooler)})`);
  const dataDir = dataDirFromEnv(env);
  const prepared = (env.GOVDB_PREPARED_STATEMENTS ?? 'on').toLowerCase();
  if (!['on', 'off'].includes(prepared)) problems.push(`GOVDB_PREPARED_STATEMENTS=${JSON.stringify(env.GOVDB_PREPARED_STATEMENTS)} must be on or off`);
  const config: Config = {
    postgresUrl,
    postgresDirectUrl: directUrl ?? postgresUrl,
    postgresPooler: pooler === 'transaction' ? 'transaction' : 'none',
    redisUrl: env.REDIS_URL || undefined,
    port: intVar(env, 'PORT', 8767, 1, 65535, problems),
    host: env.HOST || '127.0.0.1',
    sessionTtlHours: intVar(env, 'SESSION_TTL_HOURS', 24, 1, 24 * 365, problems),
    adminToken: env.GOVDB_ADMIN_TOKEN || undefined,
    dataDir,
    auditLogPath: env.GOVDB_AUDIT_LOG ? path.resolve(env.GOVDB_AUDIT_LOG) : path.join(dataDir, 'audit_log.jsonl'),
    migrateLockTimeoutMs: intVar(env, 'GOVDB_MIGRATE_LOCK_TIMEOUT_MS', 60_000, 0, 3_600_000, problems),
    onboardToken: env.GOVDB_ONBOARD_TOKEN || undefined,
    onboardPerAddressPerHour: intVar(env, 'GOVDB_ONBOARD_PER_ADDRESS_PER_HOUR', 20, 1, 1_000_000, problems),
    onboardTotalPerHour: intVar(env, 'GOVDB_ONBOARD_TOTAL_PER_HOUR', 200, 1, 10_000_000, problems),
    poolIdleMs: env.GOVDB_POOL_IDLE_MS ? intVar(env, 'GOVDB_POOL_IDLE_MS', 0, 0, 86_400_000, problems) : undefined,
    namedStatements: prepared !== 'off',
    sessions: {
      idleMs: intVar(env, 'GOVDB_SESSION_IDLE_MS', DEFAULT_SESSION_LIMITS.idleMs, 100, 7 * 86_400_000, problems),
      maxSessions: intVar(env, 'GOVDB_MAX_SESSIONS', DEFAULT_SESSION_LIMITS.maxSessions, 1, 1_000_000, problems),
      maxSessionsPerClient: intVar(env, 'GOVDB_MAX_SESSIONS_PER_CLIENT', DEFAULT_SESSION_LIMITS.maxSessionsPerClient, 1, 1_000_000, problems),
      initializePerMinute: intVar(env, 'GOVDB_INITIALIZE_PER_MINUTE', DEFAULT_SESSION_LIMITS.initializePerMinute, 1, 1_000_000, problems),
    },
  };
  if (problems.length) {
    throw new GovdbError('CONFIG_INVALID', `Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return config;
}
