/**
 * Typed errors with stable codes. Every error that reaches a user (CLI, MCP, HTTP) is a GovdbError:
 * `code` is stable and machine-readable, `message` says what was found, what was expected and how
 * to fix it, `hint` is optional advice.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'DB_UNREACHABLE'
  | 'DB_ERROR'
  | 'MIGRATION_LOCK_TIMEOUT'
  | 'MIGRATION_CHECKSUM_MISMATCH'
  | 'MIGRATION_FAILED'
  | 'MIGRATION_FILE_INVALID'
  | 'MIGRATION_UNKNOWN_APPLIED'
  | 'SCHEMA_BEHIND'
  | 'NOT_FOUND'
  | 'INVALID_INPUT'
  | 'CONFLICT'
  | 'FORBIDDEN'
  | 'UNAUTHENTICATED'
  | 'RATE_LIMITED'
  | 'INVALID_STATE'
  | 'AGENT_PAUSED'
  | 'AGENT_ARCHIVED'
  | 'AGENT_DELETED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

export class GovdbError extends Error {
  override readonly name = 'GovdbError';
  constructor(
    readonly code: ErrorCode | (string & {}),
    message: string,
    readonly details: { hint?: string; cause?: unknown; [key: string]: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }

  get hint(): string | undefined {
    return typeof this.details.hint === 'string' ? this.details.hint : undefined;
  }

  toJSON(): Record<string, unknown> {
    const { cause: _cause, ...rest } = this.details;
    return { code: this.code, message: this.message, ...rest };
  }
}

export function isGovdbError(err: unknown): err is GovdbError {
  return err instanceof GovdbError;
}

/** Codes that describe the caller's request; every other code describes the server. */
const CLIENT_CODES = new Set(['NOT_FOUND', 'INVALID_INPUT', 'CONFLICT', 'FORBIDDEN', 'UNAUTHENTICATED', 'RATE_LIMITED', 'INVALID_STATE']);

/** Fields of `details` a client may see besides code, message and hint. */
const PUBLIC_DETAILS = ['field', 'reason', 'retry_after_ms', 'constraint', 'closest'] as const;

/**
 * Removes what a response must never carry from a message: network addresses (host:port, IPs,
 * connection URLs) always; absolute file paths from server-side errors (code not in CLIENT_CODES),
 * where they can only be the install's paths.
 */
export function scrubMessage(message: string, code: string): string {
  let out = message
    .replace(/\b(?:postgres(?:ql)?|redis|rediss|https?):\/\/\S+/gi, '<address>')
    .replace(/\[[0-9a-f]*:[0-9a-f]*:[0-9a-f:.]*\](?::\d+)?/gi, '<address>')
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<address>')
    .replace(/\blocalhost:\d+\b/gi, '<address>');
  if (!CLIENT_CODES.has(code)) out = out.replace(/(?:[A-Za-z]:)?(?:[/][\w.@+-]+){2,}/g, '<path>');
  return out;
}

/**
 * The error as a client sees it: `{ code, message, hint?, field?, reason?, retry_after_ms?,
 * constraint?, closest? }`, with the message scrubbed (see scrubMessage). Never a stack or a cause.
 */
export function publicErrorBody(err: GovdbError): Record<string, unknown> {
  const body: Record<string, unknown> = { code: err.code, message: scrubMessage(err.message, err.code) };
  if (err.hint) body.hint = scrubMessage(err.hint, err.code);
  for (const key of PUBLIC_DETAILS) if (err.details[key] !== undefined) body[key] = err.details[key];
  return body;
}

/** Node socket error codes of a dependency that cannot be reached (connection refused, reset, DNS, timeouts). */
export const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);

/** The retry advice every UNAVAILABLE error carries. */
export const RETRY_HINT = 'A dependency of the server is briefly unavailable: retry in a few seconds (with backoff). Nothing was changed by this call.';

/** An UNAVAILABLE error for an outage of `what` (no address, no driver message). */
export function unavailable(what: string, cause: unknown): GovdbError {
  return new GovdbError('UNAVAILABLE', `${what} is unavailable right now.`, { cause, hint: RETRY_HINT, retry_after_ms: 2000 });
}

function looksLikeRedisOutage(err: unknown): boolean {
  const e = err as { name?: string; message?: string; code?: string } | null;
  if (!e || typeof e !== 'object') return false;
  return e.name === 'MaxRetriesPerRequestError'
    || /Connection is closed|Stream isn't writeable|enableOfflineQueue|Reached the max retries per request/i.test(e.message ?? '');
}

/**
 * What a transport sends for any thrown value: GovdbErrors as they are; a Redis outage as
 * UNAVAILABLE; anything else as INTERNAL (details only in the server log). Database errors are
 * mapped before this by `toGovdbError` (src/db/sqlErrors.ts).
 */
export function asGovdbError(err: unknown): GovdbError {
  if (isGovdbError(err)) return err;
  if (looksLikeRedisOutage(err)) return unavailable('The session store (Redis)', err);
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return unavailable('A backing service', err);
  return new GovdbError('INTERNAL', 'Internal error; the server log has the details.', { cause: err });
}

/** Named SQLSTATE codes used by the code base. */
export const SQLSTATE = {
  UNIQUE_VIOLATION: '23505',
  FOREIGN_KEY_VIOLATION: '23503',
  CHECK_VIOLATION: '23514',
  NOT_NULL_VIOLATION: '23502',
  INVALID_TEXT_REPRESENTATION: '22P02',
  SERIALIZATION_FAILURE: '40001',
  DEADLOCK_DETECTED: '40P01',
  LOCK_NOT_AVAILABLE: '55P03',
  QUERY_CANCELED: '57014',
  RAISE_EXCEPTION: 'P0001',
  INVALID_CATALOG_NAME: '3D000',
  UNDEFINED_TABLE: '42P01',
} as const;

export function sqlState(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof (err).code === 'string'
    ? (err as { code: string }).code
    : undefined;
}
