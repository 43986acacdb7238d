import { GovdbError } from './errors';

/** Environment, validated once. All problems are collected before throwing. */
export interface Config {
  /** PostgreSQL URL; undefined means the embedded store. */
  postgresUrl: string | undefined;
  redisUrl: string | undefined;
  port: number;
  host: string;
  sessionTtlHours: number;
  adminToken: string | undefined;
  dataDir: string;
  auditLogPath: string;
  migrateLockTimeoutMs: number;
  /** GOVDB_ONBOARD_TOKEN: when set, onboard (without spawn) needs it (onboard_token or X-Onboard-Token) */
  onboardToken: string | undefined;
  /** GOVDB_ONBOARD_PER_ADDRESS_PER_HOUR (default 20): new agents per client address per hour */
  onboardPerAddressPerHour: number;
  /** GOVDB_ONBOARD_TOTAL_PER_HOUR (default 200): new agents per hour over all clients (shared via Redis) */
  onboardTotalPerHour: number;
}

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

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const postgresUrl = env.DB_POSTGRES_URL || undefined;
  if (postgresUrl && !/^postgres(ql)?:\/\//.test(postgresUrl)) {
    problems.push(`DB_POSTGRES_URL must start with postgres:// or postgresql:// (got a value starting ${JSON.stringify(postgresUrl.slice(0, 12))})`);
  }
  const dataDir = env.GOVDB_DATA_DIR || `${process.cwd()}/.govdb`;
  const config: Config = {
    postgresUrl,
    redisUrl: env.REDIS_URL || undefined,
    port: intVar(env, 'PORT', 8767, 1, 65535, problems),
    host: env.HOST || '127.0.0.1',
    sessionTtlHours: intVar(env, 'SESSION_TTL_HOURS', 24, 1, 24 * 365, problems),
    adminToken: env.GOVDB_ADMIN_TOKEN || undefined,
    dataDir,
    auditLogPath: env.GOVDB_AUDIT_LOG || `${dataDir}/audit_log.jsonl`,
    migrateLockTimeoutMs: intVar(env, 'GOVDB_MIGRATE_LOCK_TIMEOUT_MS', 60_000, 0, 3_600_000, problems),
    onboardToken: env.GOVDB_ONBOARD_TOKEN || undefined,
    onboardPerAddressPerHour: intVar(env, 'GOVDB_ONBOARD_PER_ADDRESS_PER_HOUR', 20, 1, 1_000_000, problems),
    onboardTotalPerHour: intVar(env, 'GOVDB_ONBOARD_TOTAL_PER_HOUR', 200, 1, 10_000_000, problems),
  };
  if (problems.length) {
    throw new GovdbError('CONFIG_INVALID', `Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return config;
}
