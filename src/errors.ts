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
  return typeof err === 'object' && err !== null && 'code' in err && typeof (err as { code: unknown }).code === 'string'
    ? (err as { code: string }).code
    : undefined;
}
