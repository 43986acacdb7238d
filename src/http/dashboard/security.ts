import { timingSafeEqual, createHash } from 'crypto';
import type { NextFunction, Request, Response } from 'express';
import { GovdbError } from '../../errors';

/**
 * Access rules of the dashboard (docs/dashboard.md):
 * - every data endpoint needs `Authorization: Bearer <GOVDB_ADMIN_TOKEN>`; the page keeps the token in
 *   sessionStorage (login form) and sends it as that header, never as a cookie, so a cross-site
 *   request cannot carry it;
 * - actions (POST) also need the `X-Govdb-Csrf: 1` header and a JSON body: a form post from another
 *   site can send neither (a custom header forces a CORS preflight, which this server never grants);
 * - every response forbids framing and sets a strict CSP (no inline script or style, same-origin only).
 * The Host/Origin checks of src/http/app.ts run before any of this.
 */

export const CSRF_HEADER = 'x-govdb-csrf';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers for every dashboard response: no framing, strict CSP, no sniffing, no referrer, no caching of data. */
export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  next();
}

/** Writes a GovdbError-shaped JSON error: `{ error: { code, message, hint? } }`. */
export function sendError(res: Response, status: number, code: string, message: string, hint?: string): void {
  res.status(status).json({ error: { code, message, ...(hint ? { hint } : {}) } });
}

const STATUS_OF: Record<string, number> = {
  INVALID_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_STATE: 409,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  DB_UNREACHABLE: 503,
};

/** Maps a thrown error to a JSON response: GovdbErrors keep their code and message, anything else is INTERNAL without details. */
export function sendThrown(res: Response, err: unknown, log: (line: string) => void): void {
  if (err instanceof GovdbError) return sendError(res, STATUS_OF[err.code] ?? 500, err.code, err.message, err.hint);
  log(`govdb: dashboard request failed: ${(err as Error)?.message ?? String(err)}`);
  sendError(res, 500, 'INTERNAL', 'The dashboard request failed on the server; see the server log.');
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Constant-time comparison of a presented token with the configured one (compared as sha256 digests, so lengths do not leak). */
export function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** Express middleware: 401 JSON unless the request carries `Authorization: Bearer <admin token>`. Fails closed when no token is configured. */
export function requireAdmin(adminToken: string | undefined) {
  return (req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('Cache-Control', 'no-store');
    if (!adminToken) {
      return sendError(res, 401, 'UNAUTHENTICATED', 'The dashboard needs GOVDB_ADMIN_TOKEN, and this server has none configured.', 'Start the server with GOVDB_ADMIN_TOKEN set, then log in with that token.');
    }
    const header = req.headers.authorization ?? '';
    const match = /^Bearer (.+)$/.exec(header);
    if (!match || !tokenMatches(match[1] ?? '', adminToken)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="govdb-dashboard"');
      return sendError(res, 401, 'UNAUTHENTICATED', match ? 'The admin token is wrong.' : 'The dashboard API needs the admin token.', 'Send Authorization: Bearer <GOVDB_ADMIN_TOKEN> (the login form of /dashboard does this).');
    }
    next();
  };
}

/** Express middleware for actions: 403 unless the CSRF header is present and the body is JSON. */
export function requireCsrf(req: Request, res: Response, next: NextFunction): void {
  if (req.headers[CSRF_HEADER] !== '1') {
    return sendError(res, 403, 'FORBIDDEN', `Dashboard actions need the ${CSRF_HEADER} header.`, 'Use the dashboard page; scripts must send X-Govdb-Csrf: 1 with a JSON body.');
  }
  if (!req.is('application/json')) {
    return sendError(res, 415, 'INVALID_INPUT', 'Dashboard actions take a JSON body (Content-Type: application/json).');
  }
  next();
}
