import { ErrorCode, GovdbError, SQLSTATE, sqlState } from '../errors';

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

const CONSTRAINT_CODES: Record<string, ErrorCode> = {
  [SQLSTATE.CHECK_VIOLATION]: 'INVALID_INPUT',
  [SQLSTATE.NOT_NULL_VIOLATION]: 'INVALID_INPUT',
  [SQLSTATE.INVALID_TEXT_REPRESENTATION]: 'INVALID_INPUT',
  '22003': 'INVALID_INPUT', // numeric value out of range
  '22001': 'INVALID_INPUT', // string data right truncation
  [SQLSTATE.UNIQUE_VIOLATION]: 'CONFLICT',
  [SQLSTATE.FOREIGN_KEY_VIOLATION]: 'NOT_FOUND',
  [SQLSTATE.QUERY_CANCELED]: 'UNAVAILABLE',
};

/** Turns a PostgreSQL error from a stored-function call into a GovdbError; other errors pass through. */
export function toGovdbError(err: unknown): unknown {
  if (err instanceof GovdbError) return err;
  const state = sqlState(err);
  if (!state) return err;
  const pgErr = err as { message: string; hint?: string; detail?: string; constraint?: string; table?: string; column?: string };
  if (state === ACTOR_STATE_SQLSTATE) {
    const code = pgErr.detail && ACTOR_STATE_CODES.has(pgErr.detail) ? (pgErr.detail as ErrorCode) : 'INVALID_STATE';
    return new GovdbError(code, pgErr.message, { cause: err, sqlstate: state, reason: pgErr.detail, ...(pgErr.hint ? { hint: pgErr.hint } : {}) });
  }
  const code = FUNCTION_ERROR_CODES[state] ?? CONSTRAINT_CODES[state];
  if (!code) return new GovdbError('DB_ERROR', `Database error ${state}: ${pgErr.message}`, { cause: err, sqlstate: state });
  const details: Record<string, unknown> = { cause: err, sqlstate: state };
  if (pgErr.hint) details.hint = pgErr.hint;
  if (pgErr.detail && FUNCTION_ERROR_CODES[state]) details.reason = pgErr.detail;
  if (pgErr.constraint) details.constraint = pgErr.constraint;
  const message = FUNCTION_ERROR_CODES[state]
    ? pgErr.message
    : `${pgErr.message}${pgErr.constraint ? ` (constraint ${pgErr.constraint})` : ''}`;
  return new GovdbError(code, message, details);
}
