import path from 'path';
import { loadConfig } from '../../src/config';
import { GovdbError } from '../../src/errors';

const HOME = { HOME: '/home/op' };

function problemsOf(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(GovdbError);
    expect((err as GovdbError).code).toBe('CONFIG_INVALID');
    return (err as GovdbError).message;
  }
  throw new Error('loadConfig accepted the environment');
}

test('an empty environment gives every documented default', () => {
  const config = loadConfig(HOME);
  expect(config).toMatchObject({
    postgresUrl: undefined,
    postgresDirectUrl: undefined,
    postgresPooler: 'none',
    port: 8767,
    host: '127.0.0.1',
    dataDir: '/home/op/.local/share/govdb',
    auditLogPath: '/home/op/.local/share/govdb/audit_log.jsonl',
    migrateLockTimeoutMs: 60_000,
    migrateTimeouts: { lockTimeout: '5s', statementTimeout: '15min' },
    onboardPerAddressPerHour: 20,
    onboardTotalPerHour: 200,
    poolIdleMs: undefined,
    namedStatements: true,
    sessions: { idleMs: 1_800_000, maxSessions: 1000, maxSessionsPerClient: 100, initializePerMinute: 60 },
    readReplicas: { urls: [], maxLagBytes: undefined, waitMs: undefined },
    http: { allowedHosts: [], allowedOrigins: [], shutdownDrainMs: 0, serverName: undefined },
    leader: { pollMs: 2000, sessionCleanupMs: 300_000, auditKeep: undefined },
    idempotencySecret: undefined,
    debugGc: false,
  });
  expect(config.cache).toMatchObject({
    keyPrefix: '',
    sessionTtlMs: 24 * 3_600_000,
    metadataTtlMs: 300_000,
    memoryMaxEntries: 10_000,
    redis: { url: undefined, sentinels: [], clusterNodes: [], connectTimeoutMs: 2000, commandTimeoutMs: 500 },
  });
});

test('every variable reaches the configuration object (formerly unread ones included)', () => {
  const config = loadConfig({
    ...HOME,
    DB_POSTGRES_URL: 'postgres://govdb@pooler:6432/govdb',
    DB_POSTGRES_DIRECT_URL: 'postgresql://govdb@primary:5432/govdb',
    DB_POSTGRES_POOLER: 'transaction',
    DB_POSTGRES_READ_URL: 'postgres://r1/govdb, postgres://r2/govdb',
    DB_POSTGRES_READ_MAX_LAG_BYTES: '1048576',
    DB_POSTGRES_READ_WAIT_MS: '20',
    PORT: '9000',
    HOST: '0.0.0.0',
    GOVDB_DATA_DIR: 'relative/data',
    GOVDB_MIGRATE_LOCK_TIMEOUT_MS: '5000',
    GOVDB_MIGRATE_LOCK_WAIT: '2s',
    GOVDB_MIGRATE_STATEMENT_TIMEOUT: '1h',
    GOVDB_PREPARED_STATEMENTS: 'OFF',
    GOVDB_POOL_IDLE_MS: '0',
    REDIS_URL: 'rediss://cache:6380/1',
    REDIS_KEY_PREFIX: 'govdb:',
    SESSION_TTL_HOURS: '2',
    GOVDB_METADATA_TTL_SECONDS: '30',
    GOVDB_ALLOWED_HOSTS: 'lb.example:443,,lb2:80',
    GOVDB_ALLOWED_ORIGINS: 'https://ui.example',
    GOVDB_SHUTDOWN_DRAIN_MS: '3000',
    GOVDB_LEADER_POLL_MS: '500',
    GOVDB_SESSION_CLEANUP_MS: '60000',
    GOVDB_AUDIT_KEEP: '13 months',
    GOVDB_IDEMPOTENCY_SECRET: 's3cret',
    GOVDB_DEBUG_GC: '1',
    GOVDB_SERVER_NAME: 'govdb-a',
  });
  expect(config).toMatchObject({
    postgresUrl: 'postgres://govdb@pooler:6432/govdb',
    postgresDirectUrl: 'postgresql://govdb@primary:5432/govdb',
    postgresPooler: 'transaction',
    readReplicas: { urls: ['postgres://r1/govdb', 'postgres://r2/govdb'], maxLagBytes: 1_048_576, waitMs: 20 },
    port: 9000,
    host: '0.0.0.0',
    dataDir: path.resolve('relative/data'),
    migrateLockTimeoutMs: 5000,
    migrateTimeouts: { lockTimeout: '2s', statementTimeout: '1h' },
    namedStatements: false,
    poolIdleMs: 0,
    http: { allowedHosts: ['lb.example:443', 'lb2:80'], allowedOrigins: ['https://ui.example'], shutdownDrainMs: 3000, serverName: 'govdb-a' },
    leader: { pollMs: 500, sessionCleanupMs: 60_000, auditKeep: '13 months' },
    idempotencySecret: 's3cret',
    debugGc: true,
  });
  expect(config.cache).toMatchObject({ keyPrefix: 'govdb:', sessionTtlMs: 7_200_000, sessionDurableSlackMs: 1_800_000, metadataTtlMs: 30_000, redis: { url: 'rediss://cache:6380/1' } });
});

test('an empty value counts as unset', () => {
  expect(loadConfig({ ...HOME, PORT: '', DB_POSTGRES_URL: '', GOVDB_LEADER_POLL_MS: '', GOVDB_PREPARED_STATEMENTS: '' })).toMatchObject({ port: 8767, postgresUrl: undefined, leader: { pollMs: 2000 }, namedStatements: true });
});

test('every bad value is reported at once, each naming its variable; URLs are cut short', () => {
  expect(problemsOf({
    ...HOME,
    DB_POSTGRES_URL: 'mysql://root:hunter2@db',
    DB_POSTGRES_POOLER: 'session',
    DB_POSTGRES_READ_URL: 'postgres://ok/db,http://replica:secret@x',
    PORT: '70000',
    GOVDB_PREPARED_STATEMENTS: 'maybe',
    GOVDB_LEADER_POLL_MS: 'fast',
    GOVDB_SESSION_CLEANUP_MS: '1.5',
    DB_POSTGRES_READ_WAIT_MS: '0',
    GOVDB_MIGRATE_LOCK_WAIT: 'soon',
  })).toMatchInlineSnapshot(`
"Invalid configuration:
  - DB_POSTGRES_URL must start with postgres:// or postgresql:// (got a value starting "mysql://root")
  - DB_POSTGRES_POOLER must be "none" or "transaction" (got "session")
  - DB_POSTGRES_READ_URL must be postgres:// URLs separated by commas (1 entry/entries are not, e.g. one starting "http://repli")
  - DB_POSTGRES_READ_WAIT_MS="0" must be an integer between 1 and 60000
  - PORT="70000" must be an integer between 1 and 65535
  - GOVDB_MIGRATE_LOCK_WAIT: "soon" is not a duration.
  - GOVDB_PREPARED_STATEMENTS="maybe" must be on or off
  - GOVDB_LEADER_POLL_MS="fast" must be an integer between 10 and 3600000
  - GOVDB_SESSION_CLEANUP_MS="1.5" must be an integer between 100 and 86400000"
`);
});

test('the error says where the variables are documented', () => {
  try {
    loadConfig({ ...HOME, PORT: 'x' });
    throw new Error('accepted');
  } catch (err) {
    expect((err as GovdbError).hint).toBe('Fix the variables listed (docs/operations.md, "Configuration", lists each with its default).');
  }
});
