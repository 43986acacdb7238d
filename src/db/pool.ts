import { Pool, PoolClient, PoolConfig, Client } from 'pg';
import { GovdbError, SQLSTATE, sqlState } from '../errors';

/** Anything that can run a query: a pool, a pooled client or a plain client. */
export interface Queryable {
  query: Pool['query'];
}

export interface CreatePoolOptions {
  max?: number;
  connectTimeoutMs?: number;
  applicationName?: string;
  /**
   * false behind PgBouncer in transaction mode: server sessions are shared, so nothing may be set per
   * connection; UTC and the search path come from `alter database ... set` and AGE from
   * shared_preload_libraries instead (docs/deploy.md). Default true.
   */
  sessionSetup?: boolean;
}

/** Every session runs in UTC and can use AGE: `LOAD 'age'` and ag_catalog on the search path. */
export const SESSION_SETUP_SQL = `set timezone = 'UTC'; load 'age'; set search_path = "$user", public, ag_catalog`;

/**
 * A pg Client that prepares its session once, right after connecting and before the pool hands it
 * out (node-postgres does not reset sessions on release, so this holds for the client's lifetime).
 */
class SessionClient extends Client {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override connect(callback?: any): any {
    const ready = super.connect().then(() => this.query(SESSION_SETUP_SQL)).then(() => undefined);
    if (!callback) return ready;
    ready.then(() => callback(null, this), (err: Error) => callback(err));
    return undefined;
  }
}

export function createPool(connectionString: string, options: CreatePoolOptions = {}): Pool {
  const config: PoolConfig = {
    Client: options.sessionSetup === false ? Client : SessionClient,
    connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    application_name: options.applicationName ?? 'govdb',
    ...(options.sessionSetup === false ? {} : { options: '-c timezone=UTC' }),
  };
  const pool = new Pool(config);
  // An idle client that errors (server restart) is removed by pg; log nothing that could hold secrets.
  pool.on('error', () => undefined);
  return pool;
}

export async function connectClient(connectionString: string, connectTimeoutMs = 5000): Promise<Client> {
  const client = new Client({ connectionString, connectionTimeoutMillis: connectTimeoutMs, application_name: 'govdb', options: '-c timezone=UTC' });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw new GovdbError('DB_UNREACHABLE', `Cannot connect to PostgreSQL at ${redactUrl(connectionString)}: ${(err as Error).message}`, {
      hint: 'Check DB_POSTGRES_URL and that the server is running (scripts/db/pg-age.sh status).',
      cause: err,
    });
  }
  return client;
}

export async function withClient<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await fn(client);
  } finally {
    client.release();
  }
}

const RETRYABLE = new Set<string>([SQLSTATE.SERIALIZATION_FAILURE, SQLSTATE.DEADLOCK_DETECTED]);

/** Runs fn in a transaction; retries serialization failures and deadlocks with jitter (5 attempts). */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    try {
      await client.query('begin');
      const result = await fn(client);
      await client.query('commit');
      return result;
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      const state = sqlState(err);
      if (state && RETRYABLE.has(state) && attempt < attempts) {
        await new Promise((r) => setTimeout(r, Math.random() * 10 * 2 ** attempt));
        continue;
      }
      throw err;
    } finally {
      client.release();
    }
  }
}

/** Hides the password of a connection URL for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}
