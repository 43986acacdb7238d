import { randomUUID } from 'crypto';
import express, { Express, NextFunction, Request, Response } from 'express';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { DEFAULT_SESSION_LIMITS, SessionLimits } from '../config';
import type { ServerDeps } from '../mcp/deps';
import { HTTP_BODY_LIMIT_BYTES } from '../mcp/limits';
import { buildServer } from '../mcp/server';
import { CLIENT_ADDRESS_HEADER } from '../mcp/toolkit';
import { SessionRegistry } from './sessionRegistry';
import { mountDashboard } from './dashboard';

export interface HttpOptions {
  host: string;
  port: number;
  /** extra Host header values accepted besides loopback names (GOVDB_ALLOWED_HOSTS) */
  allowedHosts?: string[];
  /** extra Origin values accepted besides loopback origins (GOVDB_ALLOWED_ORIGINS) */
  allowedOrigins?: string[];
  /** bounds of the MCP sessions (idle expiry, caps, initialize rate); default DEFAULT_SESSION_LIMITS */
  sessions?: SessionLimits;
}

export interface HttpApp {
  app: Express;
  /** stops the idle sweep and closes every MCP session (transport and server) */
  close(): Promise<void>;
  sessionCount(): number;
  /** the live sessions and their bounds */
  sessions: SessionRegistry;
}

function jsonRpcError(res: Response, status: number, code: number, message: string): void {
  res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });
}

/**
 * Unknown routes and every error as JSON-RPC bodies: a body that is not JSON → 400 with -32700
 * (parse error); a body over HTTP_BODY_LIMIT_BYTES → 413 with -32600, refused from Content-Length
 * or while streaming, before anything parses it; an unknown route → 404 with -32601; anything else
 * → 500 with -32603. Never express's HTML page: no stack trace, no path, no address (the server log
 * has the details of a 500).
 */
function installErrorHandling(app: Express): void {
  app.use((req: Request, res: Response) => {
    jsonRpcError(res, 404, -32601, `No route ${req.method} ${req.path.slice(0, 200)}: the MCP endpoint is /mcp; /health and /metrics are GET.`);
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err as { type?: string; status?: number; statusCode?: number; stack?: string };
    if (res.headersSent) {
      res.end();
      return;
    }
    if (e?.type === 'entity.parse.failed') return jsonRpcError(res, 400, -32700, 'Parse error: the request body is not valid JSON.');
    if (e?.type === 'entity.too.large') return jsonRpcError(res, 413, -32600, `Request body too large: at most ${HTTP_BODY_LIMIT_BYTES} bytes (4 MB).`);
    const status = e?.status ?? e?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return jsonRpcError(res, status, -32600, `Invalid request (${e?.type ?? `HTTP ${status}`}).`);
    }
    process.stderr.write(`govdb: http request failed: ${e?.stack ?? String(err)}\n`);
    jsonRpcError(res, 500, -32603, 'Internal error; the server log has the details.');
  });
}

/** Express app: POST/GET/DELETE /mcp (Streamable HTTP, stateful sessions), GET /health, GET /metrics, the dashboard (/dashboard). */
export function createHttpApp(deps: ServerDeps, options: HttpOptions): HttpApp {
  const app = express();
  app.disable('x-powered-by');
  const loopbackNames = ['localhost', '127.0.0.1', '[::1]'];
  const allowedHosts = new Set([...loopbackNames.flatMap((h) => [h, `${h}:${options.port}`]), ...(options.allowedHosts ?? [])]);
  const allowedOrigins = new Set([...loopbackNames.map((h) => `http://${h}:${options.port}`), ...(options.allowedOrigins ?? [])]);

  // DNS-rebinding protection: a browser page on another origin must not reach a loopback server
  app.use((req: Request, res: Response, next: NextFunction) => {
    const host = req.headers.host;
    if (!host || !allowedHosts.has(host)) return jsonRpcError(res, 403, -32000, `Host ${JSON.stringify(host ?? '')} is not allowed; set GOVDB_ALLOWED_HOSTS to accept it.`);
    const origin = req.headers.origin;
    if (origin && !allowedOrigins.has(origin)) return jsonRpcError(res, 403, -32000, `Origin ${JSON.stringify(origin)} is not allowed; set GOVDB_ALLOWED_ORIGINS to accept it.`);
    next();
  });

  app.get('/health', async (_req, res) => {
    const report = await deps.health();
    res.status(report.status === 'critical' ? 503 : 200).json(report);
  });

  app.get('/metrics', async (_req, res) => {
    if (!deps.metrics) return res.status(404).send('metrics disabled\n');
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });

  const dashboard = mountDashboard(app, deps); // operator dashboard: /, /dashboard, /dashboard/api/* (docs/dashboard.md)

  const sessions = new SessionRegistry(options.sessions ?? DEFAULT_SESSION_LIMITS, deps.metrics);
  /** the socket's address as a header (both views the SDK may read: headers and rawHeaders), replacing any client value */
  const setClientAddress = (req: Request) => {
    const address = req.socket.remoteAddress ?? 'unknown';
    const raw = req.rawHeaders;
    const kept: string[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() !== CLIENT_ADDRESS_HEADER) kept.push(raw[i]!, raw[i + 1]!);
    raw.splice(0, raw.length, ...kept, CLIENT_ADDRESS_HEADER, address);
    req.headers[CLIENT_ADDRESS_HEADER] = address;
  };
  app.post('/mcp', express.json({ limit: HTTP_BODY_LIMIT_BYTES }), async (req, res) => {
    // the client's address for per-address limits (onboarding); a client cannot choose it
    setClientAddress(req);
    const sessionId = req.headers['mcp-session-id'];
    const live = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (live) {
      const done = sessions.touch(live);
      res.once('close', done);
      return live.transport.handleRequest(req, res, req.body);
    }
    if (sessionId) return jsonRpcError(res, 404, -32001, `Unknown MCP session ${JSON.stringify(sessionId)}; start a new one with initialize.`);
    if (!isInitializeRequest(req.body)) return jsonRpcError(res, 400, -32000, 'No Mcp-Session-Id header: the first request must be initialize.');
    const clientAddress = req.socket.remoteAddress ?? 'unknown';
    const refusal = sessions.admit(clientAddress);
    if (refusal) {
      res.setHeader('Retry-After', String(refusal.retryAfterSeconds));
      res.status(refusal.status).json({ jsonrpc: '2.0', error: { code: -32000, message: refusal.message, data: { code: refusal.code, retry_after_seconds: refusal.retryAfterSeconds } }, id: null });
      return;
    }
    const server = buildServer(deps);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.add({ id, transport, server, clientAddress });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.remove(transport.sessionId, 'deleted');
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
    // an initialize that did not open a session (invalid) leaves nothing behind
    if (!transport.sessionId || !sessions.get(transport.sessionId)) await server.close().catch(() => undefined);
  });
  const existing = async (req: Request, res: Response) => {
    // the client's address for per-address limits (onboarding); a client cannot choose it
    setClientAddress(req);
    const sessionId = req.headers['mcp-session-id'];
    const live = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (!live) return jsonRpcError(res, 404, -32001, 'Unknown or missing Mcp-Session-Id.');
    const done = sessions.touch(live);
    res.once('close', done);
    await live.transport.handleRequest(req, res);
  };
  app.get('/mcp', existing);
  app.delete('/mcp', existing);
  installErrorHandling(app);

  return {
    app,
    sessions,
    sessionCount: () => sessions.size,
    async close() {
      await dashboard.close();
      await sessions.close();
    },
  };
}
