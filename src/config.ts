import os from 'os';
import path from 'path';
import { z } from 'zod';
import { CacheConfig, defaultCacheConfig, RedisNodeAddress } from './cache/cacheConfig';
import { DEFAULT_TIMEOUTS, MigrationTimeouts, parseDuration } from './db/migrate/timeouts';
import { readUrlsFromEnv } from './db/replicas';
import { GovdbError } from './errors';

/**
 * The one configuration object of a govdb process, parsed and validated from the environment by
 * `loadConfig` (every variable is listed with its default in docs/operations.md, "Configuration").
 * Modules get the parts they need from it; none reads process.env for these settings itself.
 */
export interface Config {
  /** PostgreSQL URL; undefined means the embedded store. */
  postgresUrl: string | undefined;
  /** DB_POSTGRES_DIRECT_URL: the primary itself when DB_POSTGRES_URL is a pooler (migrations, leader lock); default DB_POSTGRES_URL */
  postgresDirectUrl: string | undefined;
  /** DB_POSTGRES_POOLER=transaction: DB_POSTGRES_URL is PgBouncer in transaction mode (no per-connection session setup) */
  postgresPooler: 'none' | 'transaction';
  port: number;
  host: string;
  adminToken: string | undefined;
  /** absolute; GOVDB_DATA_DIR, else `defaultDataDir()` (never the working directory) */
  dataDir: string;
  auditLogPath: string;
  /** GOVDB_MIGRATE_LOCK_TIMEOUT_MS (default 60 000): how long `govdb migrate` waits for a concurrent run (ms) */
  migrateLockTimeoutMs: number;
  /**
   * GOVDB_MIGRATE_LOCK_WAIT (default 5s), GOVDB_MIGRATE_STATEMENT_TIMEOUT (default 15min): lock_timeout
   * and statement_timeout of every ledger statement whose file sets none (PostgreSQL durations)
   */
  migrateTimeouts: MigrationTimeouts;
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
  /** Redis, session bindings, metadata cache (REDIS_*, SESSION_TTL_HOURS, GOVDB_METADATA_TTL_SECONDS, GOVDB_CACHE_MEMORY_MAX_ENTRIES) */
  cache: CacheConfig;
  /** read replicas (docs/deploy.md) */
  readReplicas: ReadReplicaConfig;
  /** the HTTP transport's request checks and shutdown */
  http: HttpConfig;
  /** background work run by the leader (src/server/leader.ts) */
  leader: LeaderConfig;
  /** GOVDB_IDEMPOTENCY_SECRET: encrypts an onboard's API key for request_id retries; unset: a per-process key */
  idempotencySecret: string | undefined;
  /** GOVDB_DEBUG_GC=1: force a garbage collection before each /metrics scrape (leak hunting; needs --expose-gc) */
  debugGc: boolean;
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

export interface ReadReplicaConfig {
  /** DB_POSTGRES_READ_URL: replica URLs, comma-separated; empty: every read goes to the primary */
  urls: string[];
  /** DB_POSTGRES_READ_MAX_LAG_BYTES: a replica further behind is skipped (unset: 16 MiB, src/db/replicas.ts) */
  maxLagBytes: number | undefined;
  /** DB_POSTGRES_READ_WAIT_MS: how long a read waits for a replica to replay its caller's last write (unset: 50 ms) */
  waitMs: number | undefined;
}

export interface HttpConfig {
  /** GOVDB_ALLOWED_HOSTS: extra Host header values accepted (`host:port`, comma-separated) */
  allowedHosts: string[];
  /** GOVDB_ALLOWED_ORIGINS: Origin header values accepted (comma-separated) */
  allowedOrigins: string[];
  /** GOVDB_SHUTDOWN_DRAIN_MS: on SIGTERM, answer /health 503 this long before closing (ms, default 0) */
  shutdownDrainMs: number;
  /** GOVDB_SERVER_NAME: this server's name in shared MCP session records (default host:pid) */
  serverName: string | undefined;
}

export interface LeaderConfig {
  /** GOVDB_LEADER_POLL_MS: how often a follower tries to take the leader lock (ms, default 2000) */
  pollMs: number;
  /** GOVDB_SESSION_CLEANUP_MS: interval of the expired-binding cleanup (ms, default 300 000) */
  sessionCleanupMs: number;
  /** GOVDB_AUDIT_KEEP: audit partition retention, e.g. `13 months`; unset: no partition maintenance job */
  auditKeep: string | undefined;
}

/** Session bounds when the environment sets none. */
export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 30 * 60_000, maxSessions: 1000, maxSessionsPerClient: 100, initializePerMinute: 60 };

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

// ---- one schema for every variable: each problem names its variable and the value it got ----

/** An unset or empty variable: the empty string counts as unset, as it always did. */
const raw = z.string().optional().transform((v) => (v === '' ? undefined : v));

/** An integer variable in [min, max]; unset: `fallback`. */
function int<F extends number | undefined>(name: string, fallback: F, min: number, max: number) {
  return raw.transform((v, ctx): number | F => {
    if (v === undefined) return fallback;
    const value = Number(v);
    if (Number.isInteger(value) && value >= min && value <= max) return value;
    ctx.addIssue({ code: 'custom', message: `${name}=${JSON.stringify(v)} must be an integer between ${min} and ${max}` });
    return z.NEVER;
  });
}

/** One of `values` (case-insensitive); unset: `fallback`. */
function oneOf<const V extends string>(values: readonly V[], fallback: V, message: (v: string) => string) {
  return raw.transform((v, ctx): V => {
    if (v === undefined) return fallback;
    const found = values.find((x) => x === v.toLowerCase());
    if (found !== undefined) return found;
    ctx.addIssue({ code: 'custom', message: message(v) });
    return z.NEVER;
  });
}

/** A URL with the given scheme; `detail` adds a SHORT excerpt of a bad value (URLs may hold passwords). */
function url(name: string, scheme: RegExp, schemes: string, detail: (v: string) => string) {
  return raw.superRefine((v, ctx) => {
    if (v !== undefined && !scheme.test(v)) ctx.addIssue({ code: 'custom', message: `${name} must start with ${schemes}${detail(v)}` });
  });
}

/** A PostgreSQL duration (`5s`, `15min`, …; src/db/migrate/timeouts.ts); unset: `fallback`. */
function duration(name: string, fallback: string) {
  return raw.transform((v, ctx) => {
    if (v === undefined) return fallback;
    try {
      return parseDuration(v, name, 'CONFIG_INVALID');
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
}

/** A comma-separated list (blanks dropped). */
function list() {
  return raw.transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean));
}

function nodeList(name: string) {
  return raw.transform((v, ctx) => {
    const nodes: RedisNodeAddress[] = [];
    for (const part of (v ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      const match = /^(.+):(\d{1,5})$/.exec(part);
      const port = match ? Number(match[2]) : NaN;
      if (!match || port < 1 || port > 65535) ctx.addIssue({ code: 'custom', message: `${name} entry ${JSON.stringify(part)} must look like host:port` });
      else nodes.push({ host: match[1]!.replace(/^\[|\]$/g, ''), port });
    }
    return nodes;
  });
}

const POSTGRES = /^postgres(ql)?:\/\//;

const envSchema = z.object({
  DB_POSTGRES_URL: url('DB_POSTGRES_URL', POSTGRES, 'postgres:// or postgresql://', (v) => ` (got a value starting ${JSON.stringify(v.slice(0, 12))})`),
  DB_POSTGRES_DIRECT_URL: url('DB_POSTGRES_DIRECT_URL', POSTGRES, 'postgres:// or postgresql://', () => ''),
  DB_POSTGRES_POOLER: oneOf(['none', 'transaction'], 'none', (v) => `DB_POSTGRES_POOLER must be "none" or "transaction" (got ${JSON.stringify(v)})`),
  // one rule for replica URLs: src/db/replicas.ts (its property test covers it)
  DB_POSTGRES_READ_URL: raw.transform((v, ctx) => {
    try {
      return readUrlsFromEnv(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }),
  DB_POSTGRES_READ_MAX_LAG_BYTES: int('DB_POSTGRES_READ_MAX_LAG_BYTES', undefined, 1, Number.MAX_SAFE_INTEGER),
  DB_POSTGRES_READ_WAIT_MS: int('DB_POSTGRES_READ_WAIT_MS', undefined, 1, 60_000),
  PORT: int('PORT', 8767, 1, 65535),
  HOST: raw.transform((v) => v ?? '127.0.0.1'),
  GOVDB_ADMIN_TOKEN: raw,
  GOVDB_DATA_DIR: raw,
  GOVDB_AUDIT_LOG: raw,
  GOVDB_MIGRATE_LOCK_TIMEOUT_MS: int('GOVDB_MIGRATE_LOCK_TIMEOUT_MS', 60_000, 0, 3_600_000),
  GOVDB_MIGRATE_LOCK_WAIT: duration('GOVDB_MIGRATE_LOCK_WAIT', DEFAULT_TIMEOUTS.lockTimeout),
  GOVDB_MIGRATE_STATEMENT_TIMEOUT: duration('GOVDB_MIGRATE_STATEMENT_TIMEOUT', DEFAULT_TIMEOUTS.statementTimeout),
  GOVDB_ONBOARD_TOKEN: raw,
  GOVDB_ONBOARD_PER_ADDRESS_PER_HOUR: int('GOVDB_ONBOARD_PER_ADDRESS_PER_HOUR', 20, 1, 1_000_000),
  GOVDB_ONBOARD_TOTAL_PER_HOUR: int('GOVDB_ONBOARD_TOTAL_PER_HOUR', 200, 1, 10_000_000),
  GOVDB_POOL_IDLE_MS: int('GOVDB_POOL_IDLE_MS', undefined, 0, 86_400_000),
  GOVDB_PREPARED_STATEMENTS: oneOf(['on', 'off'], 'on', (v) => `GOVDB_PREPARED_STATEMENTS=${JSON.stringify(v)} must be on or off`),
  GOVDB_SESSION_IDLE_MS: int('GOVDB_SESSION_IDLE_MS', DEFAULT_SESSION_LIMITS.idleMs, 100, 7 * 86_400_000),
  GOVDB_MAX_SESSIONS: int('GOVDB_MAX_SESSIONS', DEFAULT_SESSION_LIMITS.maxSessions, 1, 1_000_000),
  GOVDB_MAX_SESSIONS_PER_CLIENT: int('GOVDB_MAX_SESSIONS_PER_CLIENT', DEFAULT_SESSION_LIMITS.maxSessionsPerClient, 1, 1_000_000),
  GOVDB_INITIALIZE_PER_MINUTE: int('GOVDB_INITIALIZE_PER_MINUTE', DEFAULT_SESSION_LIMITS.initializePerMinute, 1, 1_000_000),
  REDIS_URL: url('REDIS_URL', /^rediss?:\/\//, 'redis:// or rediss://', (v) => ` (got a value starting ${JSON.stringify(v.slice(0, 8))})`),
  REDIS_SENTINELS: nodeList('REDIS_SENTINELS'),
  REDIS_SENTINEL_NAME: raw,
  REDIS_CLUSTER_NODES: nodeList('REDIS_CLUSTER_NODES'),
  REDIS_KEY_PREFIX: raw,
  REDIS_CONNECT_TIMEOUT_MS: int('REDIS_CONNECT_TIMEOUT_MS', 2_000, 10, 60_000),
  REDIS_COMMAND_TIMEOUT_MS: int('REDIS_COMMAND_TIMEOUT_MS', 500, 10, 60_000),
  SESSION_TTL_HOURS: int('SESSION_TTL_HOURS', 24, 1, 24 * 365),
  GOVDB_METADATA_TTL_SECONDS: int('GOVDB_METADATA_TTL_SECONDS', 300, 1, 86_400),
  GOVDB_CACHE_MEMORY_MAX_ENTRIES: int('GOVDB_CACHE_MEMORY_MAX_ENTRIES', 10_000, 100, 10_000_000),
  GOVDB_ALLOWED_HOSTS: list(),
  GOVDB_SERVER_NAME: raw,
  GOVDB_ALLOWED_ORIGINS: list(),
  GOVDB_SHUTDOWN_DRAIN_MS: int('GOVDB_SHUTDOWN_DRAIN_MS', 0, 0, 600_000),
  GOVDB_LEADER_POLL_MS: int('GOVDB_LEADER_POLL_MS', 2_000, 10, 3_600_000),
  GOVDB_SESSION_CLEANUP_MS: int('GOVDB_SESSION_CLEANUP_MS', 300_000, 100, 86_400_000),
  GOVDB_AUDIT_KEEP: raw,
  GOVDB_IDEMPOTENCY_SECRET: raw,
  GOVDB_DEBUG_GC: raw,
});

type Env = z.output<typeof envSchema>;

// checks that involve more than one variable; on the raw values, so they are reported together with the others
function crossProblems(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  const sentinels = Boolean(env.REDIS_SENTINELS?.trim());
  if (sentinels && !env.REDIS_SENTINEL_NAME) problems.push('REDIS_SENTINELS is set but REDIS_SENTINEL_NAME (the monitored master name) is not');
  if (sentinels && env.REDIS_CLUSTER_NODES?.trim()) problems.push('REDIS_SENTINELS and REDIS_CLUSTER_NODES are both set; use one of them');
  return problems;
}

function toConfig(e: Env, env: NodeJS.ProcessEnv): Config {
  const dataDir = dataDirFromEnv(env);
  return {
    postgresUrl: e.DB_POSTGRES_URL,
    postgresDirectUrl: e.DB_POSTGRES_DIRECT_URL ?? e.DB_POSTGRES_URL,
    postgresPooler: e.DB_POSTGRES_POOLER,
    port: e.PORT,
    host: e.HOST,
    adminToken: e.GOVDB_ADMIN_TOKEN,
    dataDir,
    auditLogPath: e.GOVDB_AUDIT_LOG ? path.resolve(e.GOVDB_AUDIT_LOG) : path.join(dataDir, 'audit_log.jsonl'),
    migrateLockTimeoutMs: e.GOVDB_MIGRATE_LOCK_TIMEOUT_MS,
    migrateTimeouts: { lockTimeout: e.GOVDB_MIGRATE_LOCK_WAIT, statementTimeout: e.GOVDB_MIGRATE_STATEMENT_TIMEOUT },
    onboardToken: e.GOVDB_ONBOARD_TOKEN,
    onboardPerAddressPerHour: e.GOVDB_ONBOARD_PER_ADDRESS_PER_HOUR,
    onboardTotalPerHour: e.GOVDB_ONBOARD_TOTAL_PER_HOUR,
    poolIdleMs: e.GOVDB_POOL_IDLE_MS,
    namedStatements: e.GOVDB_PREPARED_STATEMENTS !== 'off',
    sessions: {
      idleMs: e.GOVDB_SESSION_IDLE_MS,
      maxSessions: e.GOVDB_MAX_SESSIONS,
      maxSessionsPerClient: e.GOVDB_MAX_SESSIONS_PER_CLIENT,
      initializePerMinute: e.GOVDB_INITIALIZE_PER_MINUTE,
    },
    cache: defaultCacheConfig({
      keyPrefix: e.REDIS_KEY_PREFIX ?? '',
      sessionTtlMs: e.SESSION_TTL_HOURS * 3_600_000,
      metadataTtlMs: e.GOVDB_METADATA_TTL_SECONDS * 1000,
      memoryMaxEntries: e.GOVDB_CACHE_MEMORY_MAX_ENTRIES,
      redis: {
        url: e.REDIS_URL,
        sentinels: e.REDIS_SENTINELS,
        sentinelName: e.REDIS_SENTINEL_NAME,
        clusterNodes: e.REDIS_CLUSTER_NODES,
        connectTimeoutMs: e.REDIS_CONNECT_TIMEOUT_MS,
        commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
      },
    }),
    readReplicas: { urls: e.DB_POSTGRES_READ_URL, maxLagBytes: e.DB_POSTGRES_READ_MAX_LAG_BYTES, waitMs: e.DB_POSTGRES_READ_WAIT_MS },
    http: { allowedHosts: e.GOVDB_ALLOWED_HOSTS, allowedOrigins: e.GOVDB_ALLOWED_ORIGINS, shutdownDrainMs: e.GOVDB_SHUTDOWN_DRAIN_MS, serverName: e.GOVDB_SERVER_NAME || undefined },
    leader: { pollMs: e.GOVDB_LEADER_POLL_MS, sessionCleanupMs: e.GOVDB_SESSION_CLEANUP_MS, auditKeep: e.GOVDB_AUDIT_KEEP },
    idempotencySecret: e.GOVDB_IDEMPOTENCY_SECRET,
    debugGc: e.GOVDB_DEBUG_GC === '1',
  };
}

/**
 * Parses and validates every govdb variable of `env`. Throws CONFIG_INVALID listing every problem at
 * once, one line each, naming the variable (values of URL variables are cut short: they may hold
 * passwords).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  const problems = [...(parsed.success ? [] : parsed.error.issues.map((i) => i.message)), ...crossProblems(env)];
  if (!parsed.success || problems.length) {
    throw new GovdbError('CONFIG_INVALID', `Invalid configuration:\n  - ${problems.join('\n  - ')}`, {
      hint: 'Fix the variables listed (docs/operations.md, "Configuration", lists each with its default).',
    });
  }
  return toConfig(parsed.data, env);
}
