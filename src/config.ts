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
  dataDir: string;
  auditLogPath: string;
  migrateLockTimeoutMs: number;
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
  const directUrl = env.DB_POSTGRES_DIRECT_URL || undefined;
  if (directUrl && !/^postgres(ql)?:\/\//.test(directUrl)) problems.push('DB_POSTGRES_DIRECT_URL must start with postgres:// or postgresql://');
  const pooler = env.DB_POSTGRES_POOLER || 'none';
  if (pooler !== 'none' && pooler !== 'transaction') problems.push(`DB_POSTGRES_POOLER must be "none" or "transaction" (got ${JSON.stringify(pooler)})`);
  const dataDir = env.GOVDB_DATA_DIR || `${process.cwd()}/.govdb`;
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
    auditLogPath: env.GOVDB_AUDIT_LOG || `${dataDir}/audit_log.jsonl`,
    migrateLockTimeoutMs: intVar(env, 'GOVDB_MIGRATE_LOCK_TIMEOUT_MS', 60_000, 0, 3_600_000, problems),
  };
  if (problems.length) {
    throw new GovdbError('CONFIG_INVALID', `Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return config;
}
