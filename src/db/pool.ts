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
   * Milliseconds an idle connection stays open before the pool closes it; 0 = never (the embedded
   * store: PGlite has ONE backend session, a replaced connection lands in the same session).
   * Default 10 000 (node-postgres's default).
   */
  idleTimeoutMs?: number;
  /**
   * false: run every statement unnamed (Parse/Bind/Execute each time, no session state). For a
   * pooler that cannot follow named statements (PgBouncer < 1.21 in transaction pooling, or
   * max_prepared_statements = 0). Default true.
   */
  namedStatements?: boolean;
  /**
   * false behind PgBouncer in transaction mode: server sessions are shared, so nothing may be set per
   * connection; UTC and the search path come from `alter database ... set` and AGE from
   * shared_preload_libraries instead (docs/deploy.md). Default true.
   */
  sessionSetup?: boolean;
}

/** Every session runs in UTC and can use AGE: `LOAD 'age'` and ag_catalog on the search path. */
export const SESSION_SETUP_SQL = `set timezone = 'UTC'; load 'age'; set search_path = "$user", public, ag_catalog`;

/** SQLSTATEs of a named prepared statement that the server session and this client disagree about. */
export const STATEMENT_STATES = {
  /** 42P05 duplicate_prepared_statement: the session already holds the name (shared or reused backend session) */
  ALREADY_EXISTS: '42P05',
  /** 26000 invalid_sql_statement_name: the session lost the name (replaced backend, DISCARD ALL, pooler) */
  DOES_NOT_EXIST: '26000',
  /**
   * 0A000 feature_not_supported with "cached plan must not change result type": the statement's
   * result columns changed under it (a migration replaced a function with other OUT columns, or
   * added a column to a table whose rows a function returns) while this session held it prepared.
   * Only that message counts: 0A000 also means other, permanent refusals.
   */
  RESULT_TYPE_CHANGED: '0A000',
} as const;

const RESULT_TYPE_CHANGED_MESSAGE = 'cached plan must not change result type';

/**
 * Which disagreement between the session and this client about a named statement err reports:
 * 'alreadyExists' (42P05), 'doesNotExist' (26000), 'resultTypeChanged' (0A000 with PostgreSQL's
 * "cached plan must not change result type"), or undefined for any other error. A GovdbError is
 * judged by its cause.
 */
export function statementMismatch(err: unknown): keyof typeof statementRecoveries | undefined {
  // callFunction wraps the driver's error in a GovdbError (its cause)
  if (err instanceof GovdbError) return err.cause === undefined ? undefined : statementMismatch(err.cause);
  const state = sqlState(err);
  if (state === STATEMENT_STATES.ALREADY_EXISTS) return 'alreadyExists';
  if (state === STATEMENT_STATES.DOES_NOT_EXIST) return 'doesNotExist';
  if (state === STATEMENT_STATES.RESULT_TYPE_CHANGED && (err as Error).message?.includes(RESULT_TYPE_CHANGED_MESSAGE)) return 'resultTypeChanged';
  return undefined;
}

/** How many times a named statement was re-prepared after 42P05/26000/stale 0A000, per process (a metric source). */
export const statementRecoveries = { alreadyExists: 0, doesNotExist: 0, resultTypeChanged: 0 };

type NamedQuery = { name: string; text?: string; values?: unknown[] };

function isNamedQuery(q: unknown): q is NamedQuery {
  return typeof q === 'object' && q !== null && typeof (q as NamedQuery).name === 'string' && typeof (q as { submit?: unknown }).submit !== 'function';
}

function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/**
 * A pg Client that prepares its session once, right after connecting and before the pool hands it
 * out (node-postgres does not reset sessions on release, so this holds for the client's lifetime).
 *
 * Named prepared statements are session state that node-postgres tracks per Client object. When the
 * server session and this client disagree — 42P05 (the session already holds the name: PGlite's
 * single backend session seen by a new connection, or a pooler that hands us a backend another
 * client prepared on), 26000 (the session lost it) or 0A000 "cached plan must not change result
 * type" (a migration changed the statement's result columns while the server ran) — the client
 * corrects its view (DEALLOCATE where the session still holds the name) and runs the statement once
 * more, prepared afresh: at once outside a transaction; inside a transaction the transaction has
 * failed, so the fix (DEALLOCATE) is applied before the next statement and `withTransaction`
 * retries the whole transaction.
 */
export class SessionClient extends Client {
  private readonly toDeallocate = new Set<string>();
  private readonly namedStatements: boolean;

  constructor(config?: ConstructorParameters<typeof Client>[0]) {
    super(config);
    this.namedStatements = (config as { govdbNamedStatements?: boolean } | undefined)?.govdbNamedStatements !== false;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- overrides pg's overloaded connect(): promise and callback forms share one signature here
  override connect(callback?: any): any {
    const ready = super.connect().then(() => super.query(SESSION_SETUP_SQL)).then(() => undefined);
    if (!callback) return ready;
    ready.then(() => callback(null, this), (err: Error) => callback(err));
    return undefined;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- overrides pg's many query() overloads with one variadic signature
  override query(...args: any[]): any {
    const [given, values, callback] = args;
    // without named statements the same call runs unnamed (one Parse per call, nothing kept in the session)
    const config = !this.namedStatements && isNamedQuery(given) ? (({ name: _n, ...rest }) => rest)(given) : given;
    if (config !== given) args[0] = config;
    const cb = typeof values === 'function' ? values : callback;
    const vals = typeof values === 'function' ? undefined : values;
    if (!isNamedQuery(config) && !this.toDeallocate.size) return (super.query as (...a: unknown[]) => unknown)(...args);
    const run = this.recovering(config, vals);
    if (!cb) return run;
    run.then((res) => cb(null, res), (err) => cb(err));
    return undefined;
  }

  private forget(name: string): void {
    // node-postgres's own per-connection record of parsed statements
    const connection = (this as unknown as { connection: { parsedStatements: Record<string, string>; submittedNamedStatements: Record<string, string> } }).connection;
    delete connection.parsedStatements[name];
    delete connection.submittedNamedStatements[name];
  }

  private async flushDeallocations(): Promise<void> {
    if (!this.toDeallocate.size || this.getTransactionStatus() !== 'I') return;
    for (const name of [...this.toDeallocate]) {
      this.toDeallocate.delete(name);
      await (super.query as (t: string) => Promise<unknown>)(`deallocate ${quoteIdent(name)}`).catch((err: unknown) => {
        if (sqlState(err) !== STATEMENT_STATES.DOES_NOT_EXIST) throw err;
      });
    }
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- carries whatever query config and result shape the caller's overload of query() used
  private async recovering(config: any, values: unknown): Promise<any> {
    const base = super.query.bind(this) as (c: unknown, v?: unknown) => Promise<unknown>;
    await this.flushDeallocations();
    try {
      return await base(config, values);
    } catch (err) {
      const mismatch = statementMismatch(err);
      if (!isNamedQuery(config) || !mismatch) throw err;
      const name = config.name;
      this.forget(name);
      statementRecoveries[mismatch]++;
      // the session holds the name (someone else's statement, or ours with a stale result type): drop it
      if (mismatch !== 'doesNotExist') this.toDeallocate.add(name);
      // inside a (now failed) transaction nothing more can run: the caller's transaction retry re-runs it
      if (this.getTransactionStatus() !== 'I') throw err;
      await this.flushDeallocations();
      return await base(config, values);
    }
  }
}

/**
 * A pool that never hands out a connection still inside a transaction: a connection released while
 * its last ReadyForQuery said 'T' (in a transaction) or 'E' (in a failed one) — a caller that forgot
 * its ROLLBACK — is destroyed instead of kept, so the next caller cannot get 25P02 ("current
 * transaction is aborted") or run inside someone else's transaction. Relies on pg-pool's `_release`
 * (pg-pool 3.x) and pg's public `getTransactionStatus()`.
 */
class TransactionSafePool extends Pool {}
{
  const proto = Pool.prototype as unknown as { _release(client: PoolClient, idleListener: unknown, err?: Error): void };
  const release = proto._release;
  (TransactionSafePool.prototype as unknown as typeof proto)._release = function (client, idleListener, err) {
    const status = (client as unknown as { getTransactionStatus?(): string | null }).getTransactionStatus?.();
    const inside = status === 'T' || status === 'E';
    return release.call(this, client, idleListener, err ?? (inside ? new Error(`connection released inside a transaction (status ${status})`) : undefined));
  };
}

export function createPool(connectionString: string, options: CreatePoolOptions = {}): Pool {
  const config: PoolConfig = {
    Client: options.sessionSetup === false ? Client : SessionClient,
    connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: options.idleTimeoutMs ?? 10_000,
    // read by SessionClient (pg-pool hands its options to every Client it creates)
    ...({ govdbNamedStatements: options.namedStatements ?? true } as object),
    application_name: options.applicationName ?? 'govdb',
    ...(options.sessionSetup === false ? {} : { options: '-c timezone=UTC' }),
  };
  const pool = new TransactionSafePool(config);
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

// serialization failures and deadlocks; a named statement the session disagreed about is retryable too (statementMismatch, see SessionClient)
const RETRYABLE = new Set<string>([SQLSTATE.SERIALIZATION_FAILURE, SQLSTATE.DEADLOCK_DETECTED]);

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

export interface TransactionOptions {
  /** default 'read committed' (the server default); a nested call may not ask for more than its enclosing transaction runs at */
  isolation?: IsolationLevel;
  /**
   * How many times the whole transaction is run again after a serialization failure, a deadlock or
   * a prepared-statement mismatch (42P05, 26000, or 0A000 "cached plan must not change result type"), with jitter; default 4 (5 attempts). Only the
   * outermost transaction retries: a nested call's failure rolls back its savepoint and propagates.
   */
  retries?: number;
  /**
   * BEGIN ... READ ONLY. Enforced by the outermost transaction only: a read-only nested call inside a
   * read-write transaction runs as a plain savepoint (PostgreSQL cannot make a subtransaction read only).
   */
  readOnly?: boolean;
}

declare const OPEN_TRANSACTION: unique symbol;
/**
 * A connection inside a transaction opened by `withTransaction`: a Queryable for services, and the
 * target of a nested `withTransaction` (which then runs in a SAVEPOINT). Valid only inside the
 * callback that received it.
 */
export type Transaction = PoolClient & { readonly [OPEN_TRANSACTION]: true };

/** What `withTransaction` runs on: a pool (a connection is borrowed), a connection (the caller keeps it) or an open transaction. */
export type TransactionTarget = Pool | PoolClient | Transaction;

interface OpenState {
  isolation: IsolationLevel;
  readOnly: boolean;
  /** savepoints currently open */
  depth: number;
}

/** Transactions opened on a connection, by connection (a connection runs at most one). */
const openTransactions = new WeakMap<PoolClient, OpenState>();
const STRENGTH: Record<IsolationLevel, number> = { 'read committed': 0, 'repeatable read': 1, serializable: 2 };

function isClient(target: TransactionTarget): target is PoolClient {
  return typeof (target as PoolClient).release === 'function';
}

/**
 * Runs fn in a transaction and returns its result.
 * - target a Pool: borrows a connection, BEGIN … COMMIT, retries (options.retries) on 40001, 40P01,
 *   42P05, 26000 and a stale prepared result type (0A000, see statementMismatch); a connection
 *   whose ROLLBACK fails is destroyed instead of returned.
 * - target a connection outside a transaction: the same on that connection (the caller releases it).
 * - target an open transaction (the `Transaction` given to an enclosing fn, or a connection inside a
 *   transaction begun elsewhere): fn runs in a SAVEPOINT, released on success and rolled back to on
 *   failure (the enclosing transaction goes on); no retry here — the error reaches the outermost
 *   level, which retries the whole transaction.
 * Errors: fn's error, or INTERNAL when a nested call asks for a stronger isolation than the
 * enclosing transaction has (open the outer transaction at that level instead).
 * Existing callers' `withTransaction(pool, fn)` is the first case with the default options.
 */
export async function withTransaction<T>(target: TransactionTarget, fn: (tx: Transaction) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  if (isClient(target)) {
    const open = openTransactions.get(target) ?? (await adoptOpenTransaction(target));
    if (open) return inSavepoint(target as Transaction, open, fn, options);
  }
  const attempts = 1 + Math.max(0, options.retries ?? 4);
  const begin = ['begin', options.isolation ? `isolation level ${options.isolation}` : '', options.readOnly ? 'read only' : ''].filter(Boolean).join(' ');
  for (let attempt = 1; ; attempt++) {
    const client = isClient(target) ? target : await target.connect();
    // set when the rollback fails: the connection is destroyed rather than returned inside a transaction
    let broken: Error | undefined;
    try {
      await client.query(begin);
      openTransactions.set(client, { isolation: options.isolation ?? 'read committed', readOnly: options.readOnly ?? false, depth: 0 });
      const result = await fn(client as Transaction);
      await client.query('commit');
      return result;
    } catch (err) {
      await client.query('rollback').catch((e: Error) => void (broken = e));
      const state = sqlState(err);
      // a caller's own connection that could not roll back is not used again here
      if (((state && RETRYABLE.has(state)) || statementMismatch(err)) && attempt < attempts && !(broken && client === target)) {
        await new Promise((r) => setTimeout(r, Math.random() * 10 * 2 ** attempt));
        continue;
      }
      throw err;
    } finally {
      openTransactions.delete(client);
      if (client !== target) client.release(broken);
    }
  }
}

/** A connection inside a transaction that withTransaction did not open (status 'T' or 'E'): its level from the server. */
async function adoptOpenTransaction(client: PoolClient): Promise<OpenState | undefined> {
  const status = (client as unknown as { getTransactionStatus?(): string | null }).getTransactionStatus?.();
  if (status !== 'T' && status !== 'E') return undefined;
  const { rows } = await client.query<{ isolation: IsolationLevel; read_only: string }>(`select current_setting('transaction_isolation') as isolation, current_setting('transaction_read_only') as read_only`);
  const state: OpenState = { isolation: rows[0]!.isolation, readOnly: rows[0]!.read_only === 'on', depth: 0 };
  openTransactions.set(client, state);
  return state;
}

async function inSavepoint<T>(tx: Transaction, open: OpenState, fn: (tx: Transaction) => Promise<T>, options: TransactionOptions): Promise<T> {
  if (options.isolation && STRENGTH[options.isolation] > STRENGTH[open.isolation]) {
    throw new GovdbError('INTERNAL', `A nested transaction asks for ${options.isolation} but the enclosing transaction runs at ${open.isolation}.`, {
      hint: `Open the outermost transaction with isolation '${options.isolation}'.`,
    });
  }
  const name = `gv_sp_${++open.depth}`;
  try {
    await tx.query(`savepoint ${name}`);
    const result = await fn(tx);
    await tx.query(`release savepoint ${name}`);
    return result;
  } catch (err) {
    // the enclosing transaction may already have failed past this savepoint (e.g. a lost connection): its own rollback follows
    await tx.query(`rollback to savepoint ${name}`).then(() => tx.query(`release savepoint ${name}`)).catch(() => undefined);
    throw err;
  } finally {
    open.depth--;
  }
}

/**
 * Runs fn in a transaction that is always ROLLED BACK, never committed (one attempt): for work whose
 * effects must not survive whatever it did (graph_query: AGE applies some writes despite READ ONLY).
 * On an open transaction it runs in a savepoint that is rolled back. A connection whose ROLLBACK
 * fails is destroyed instead of returned. Errors: fn's.
 */
export async function withRolledBackTransaction<T>(target: TransactionTarget, fn: (tx: Transaction) => Promise<T>, options: Pick<TransactionOptions, 'readOnly'> = {}): Promise<T> {
  if (isClient(target)) {
    const open = openTransactions.get(target) ?? (await adoptOpenTransaction(target));
    if (open) {
      const name = `gv_sp_${++open.depth}`;
      try {
        await target.query(`savepoint ${name}`);
        // allowed mid-transaction in this direction, and undone by the rollback to the savepoint
        if (options.readOnly) await target.query('set local transaction_read_only = on');
        return await fn(target as Transaction);
      } finally {
        await target.query(`rollback to savepoint ${name}`).then(() => target.query(`release savepoint ${name}`)).catch(() => undefined);
        open.depth--;
      }
    }
  }
  const client = isClient(target) ? target : await target.connect();
  let broken: Error | undefined;
  try {
    await client.query(options.readOnly ? 'begin read only' : 'begin');
    openTransactions.set(client, { isolation: 'read committed', readOnly: options.readOnly ?? false, depth: 0 });
    try {
      return await fn(client as Transaction);
    } finally {
      await client.query('rollback').catch((e: Error) => void (broken = e));
    }
  } finally {
    openTransactions.delete(client);
    if (client !== target) client.release(broken);
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
