import { ErrorCode, GovdbError, NETWORK_ERROR_CODES, RETRY_HINT, SQLSTATE, sqlState } from '../errors';

/**
 * Stored functions raise errors with custom SQLSTATEs of class "GV" so that every language calling
 * them gets a stable code:
 *
 *   raise exception using errcode = 'GV404', message = 'No agent with id "x"', hint = 'Call onboard first';
 *
 * The DETAIL field may carry a more specific machine reason (e.g. 'AGENT_NOT_FOUND'); it is exposed
 * as `reason`.
 */
export const FUNCTION_ERROR_CODES: Record<string, ErrorCode> = {
  GV400: 'INVALID_INPUT',
  GV401: 'UNAUTHENTICATED',
  GV403: 'FORBIDDEN',
  GV404: 'NOT_FOUND',
  GV409: 'CONFLICT',
  GV422: 'INVALID_STATE',
  GV429: 'RATE_LIMITED',
};

/**
 * GV423: the acting agent cannot write now (core.check_actor_status). The DETAIL is the code itself:
 * AGENT_PAUSED, AGENT_ARCHIVED or AGENT_DELETED (docs/lifecycle.md).
 */
export const ACTOR_STATE_SQLSTATE = 'GV423';
const ACTOR_STATE_CODES: ReadonlySet<string> = new Set<ErrorCode>(['AGENT_PAUSED', 'AGENT_ARCHIVED', 'AGENT_DELETED']);

/**
 * SQLSTATEs of errors in the caller's data or of a conflict with stored data. Foreign-key violations
 * are not here: their code depends on the direction (see foreignKeyCode).
 */
const STATE_CODES: Record<string, ErrorCode> = {
  [SQLSTATE.CHECK_VIOLATION]: 'INVALID_INPUT',
  [SQLSTATE.NOT_NULL_VIOLATION]: 'INVALID_INPUT',
  [SQLSTATE.UNIQUE_VIOLATION]: 'CONFLICT',
  '23P01': 'CONFLICT', // exclusion violation
};

/** Known constraints whose violation means something more specific than their SQLSTATE. */
export const CONSTRAINT_CODES: Record<string, { code: ErrorCode; field?: string; hint?: string }> = {
  agents_label_live_key: { code: 'CONFLICT', field: 'label', hint: 'Labels are unique among live agents (case-insensitive): choose another label.' },
  agents_api_key_hash_key: { code: 'CONFLICT', hint: 'Retry: a generated key collided.' },
  agents_pkey: { code: 'CONFLICT', field: 'agent_id', hint: 'Choose another agent_id, or omit it to get a generated one.' },
  ground_truth_pkey: { code: 'CONFLICT', field: 'decision_id', hint: 'decision_id is unique across all agents: choose another one.' },
  dialectic_messages_seq_key: { code: 'CONFLICT', hint: 'Another message was submitted at the same time: read the session and retry.' },
};

/**
 * Class 22 (data exception): values PostgreSQL cannot hold or convert, e.g. 22021 (a NUL or
 * invalid byte sequence), 22P02 (invalid text representation), 22001 (too long), 22003 (out of range).
 */
function isDataException(state: string): boolean {
  return state.startsWith('22');
}

/**
 * Outages and transient failures: connection exceptions (08), operator intervention / shutdown
 * (57P01..57P05), query cancelled by statement timeout (57014), insufficient resources (53), lock not
 * available (55P03), serialization failure and deadlock (40001, 40P01: the transaction was rolled
 * back and may be retried), and the "too many connections" family.
 */
function isTransient(state: string): boolean {
  return state.startsWith('08') || state.startsWith('53') || /^57P0[1-5]$/.test(state)
    || state === SQLSTATE.QUERY_CANCELED || state === SQLSTATE.LOCK_NOT_AVAILABLE
    || state === SQLSTATE.SERIALIZATION_FAILURE || state === SQLSTATE.DEADLOCK_DETECTED;
}

/** Driver errors without a SQLSTATE that mean the server could not be reached or the connection dropped. */
function isConnectionFailure(err: { code?: unknown; message?: unknown }): boolean {
  if (typeof err.code === 'string' && NETWORK_ERROR_CODES.has(err.code)) return true;
  const message = typeof err.message === 'string' ? err.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended|the database system is (starting up|shutting down)|terminating connection/i.test(message);
}

/**
 * A foreign-key violation inserting or updating a referencing row means the referenced row does not
 * exist (NOT_FOUND); deleting or re-keying a row that others still reference is a CONFLICT.
 */
function foreignKeyCode(detail: string | undefined): ErrorCode {
  return detail && /is still referenced from table/i.test(detail) ? 'CONFLICT' : 'NOT_FOUND';
}

/**
 * Turns an error of a database call into a GovdbError; other errors pass through unchanged.
 *
 * - `GV4xx` raised by stored functions → their code (FUNCTION_ERROR_CODES), message and hint as raised;
 * - outages and transient failures → UNAVAILABLE with a retry hint and `retry_after_ms`, never the
 *   database address or the driver's message;
 * - constraint violations → by constraint name (CONSTRAINT_CODES), else by SQLSTATE: unique and
 *   exclusion → CONFLICT, foreign key → NOT_FOUND or CONFLICT by direction, check / not-null / class
 *   22 → INVALID_INPUT;
 * - anything else with a SQLSTATE → DB_ERROR naming the SQLSTATE.
 */
export function toGovdbError(err: unknown): unknown {
  if (err instanceof GovdbError) return err;
  if (typeof err !== 'object' || err === null) return err;
  const pgErr = err as { message: string; hint?: string; detail?: string; constraint?: string; table?: string; column?: string; code?: unknown };
  const state = sqlState(err);
  if (isConnectionFailure(pgErr) || (state && isTransient(state))) {
    const contention = state === SQLSTATE.SERIALIZATION_FAILURE || state === SQLSTATE.DEADLOCK_DETECTED || state === SQLSTATE.LOCK_NOT_AVAILABLE;
    const timeout = state === SQLSTATE.QUERY_CANCELED;
    return new GovdbError('UNAVAILABLE', contention
      ? 'The database rolled this call back because of concurrent work; nothing was changed.'
      : timeout ? 'The database call ran out of time and was cancelled; nothing was changed.' : 'The database is unavailable right now.', {
      cause: err, sqlstate: state, hint: RETRY_HINT, retry_after_ms: contention ? 100 : 2000,
    });
  }
  if (!state || !/^[0-9A-Z]{5}$/.test(state)) return err;
  if (state === ACTOR_STATE_SQLSTATE) {
    const code = pgErr.detail && ACTOR_STATE_CODES.has(pgErr.detail) ? (pgErr.detail as ErrorCode) : 'INVALID_STATE';
    return new GovdbError(code, pgErr.message, { cause: err, sqlstate: state, reason: pgErr.detail, ...(pgErr.hint ? { hint: pgErr.hint } : {}) });
  }
  const functionCode = FUNCTION_ERROR_CODES[state];
  if (functionCode) {
    const details: Record<string, unknown> = { cause: err, sqlstate: state };
    if (pgErr.hint) details.hint = pgErr.hint;
    if (pgErr.detail) details.reason = pgErr.detail;
    return new GovdbError(functionCode, pgErr.message, details);
  }
  const known = pgErr.constraint ? CONSTRAINT_CODES[pgErr.constraint] : undefined;
  const code = known?.code
    ?? (state === SQLSTATE.FOREIGN_KEY_VIOLATION ? foreignKeyCode(pgErr.detail) : undefined)
    ?? STATE_CODES[state]
    ?? (isDataException(state) ? 'INVALID_INPUT' : undefined);
  if (!code) return new GovdbError('DB_ERROR', `Database error ${state}; the server log has the details.`, { cause: err, sqlstate: state });
  const details: Record<string, unknown> = { cause: err, sqlstate: state };
  const hint = known?.hint ?? pgErr.hint;
  if (hint) details.hint = hint;
  if (known?.field ?? pgErr.column) details.field = known?.field ?? pgErr.column;
  if (pgErr.constraint) details.constraint = pgErr.constraint;
  return new GovdbError(code, `${pgErr.message}${pgErr.constraint ? ` (constraint ${pgErr.constraint})` : ''}`, details);
}

/**
 * A refusal caused by the data being written (bad value 22xxx, constraint 23xxx, a stored function's
 * GV4xx or plain RAISE P0001, a datatype mismatch 42804), as opposed to a broken connection or an
 * outage. Loaders (the audit mirror, backfill, the legacy import) set such a row or batch aside and
 * go on; anything else is retried or fails the run.
 */
export function isDataError(err: unknown): boolean {
  const state = err instanceof GovdbError ? (err.details.sqlstate as string | undefined) : sqlState(err);
  return typeof state === 'string' && (/^(22|23|GV4)/.test(state) || state === '42804' || state === 'P0001');
}
