import { randomUUID } from 'crypto';
import express, { Express, NextFunction, Request, Response } from 'express';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { DEFAULT_SESSION_LIMITS, SessionLimits } from '../config';
import type { ServerDeps } from '../mcp/deps';
import { HTTP_BODY_LIMIT_BYTES } from '../mcp/limits';
import { buildServer } from '../mcp/server';
import { CLIENT_ADDRESS_HEADER } from '../mcp/toolkit';
import type { McpSessionStore } from '../cache/mcpSessionStore';
import { recordFromBinding, recordFromInitialize, restoreSession, serverName } from './sessionRestore';
import { LiveSession, SessionRegistry } from './sessionRegistry';
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
  /** shared MCP session records: a session initialised on another server is restored (docs/deploy.md) */
  mcpSessions?: McpSessionStore;
  /** this server's name in shared session records (GOVDB_SERVER_NAME); default host:pid */
  serverName?: string;
  /** how often a local session re-reads its shared record (slides its TTL, notices a DELETE elsewhere); ms, default 5000 */
  sessionVerifyMs?: number;
}

export interface HttpApp {
  app: Express;
  /** waits (at most 5 s) for POST /mcp requests in flight, then stops the idle sweep and closes every MCP session (transport and server) */
  close(): Promise<void>;
  sessionCount(): number;
  /** the live sessions and their bounds */
  sessions: SessionRegistry;
  /** from now on /health answers 503 (draining), so a balancer stops sending new requests; requests are still served */
  startDraining(): void;
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

  let draining = false;
  app.get('/health', async (_req, res) => {
    if (draining) return res.status(503).json({ status: 'draining', message: 'shutting down: finishing requests in flight' });
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
  const thisServer = serverName(options.serverName);
  /** the socket's address as a header (both views the SDK may read: headers and rawHeaders), replacing any client value */
  const setClientAddress = (req: Request) => {
    const address = req.socket.remoteAddress ?? 'unknown';
    const raw = req.rawHeaders;
    const kept: string[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() !== CLIENT_ADDRESS_HEADER) kept.push(raw[i]!, raw[i + 1]!);
    raw.splice(0, raw.length, ...kept, CLIENT_ADDRESS_HEADER, address);
    req.headers[CLIENT_ADDRESS_HEADER] = address;
  };
  const store = options.mcpSessions;
  // an idle-expired session ends everywhere (record and binding), so no server restores it; a client
  // whose calls all landed on other servers for the whole idle time re-initializes (docs/deploy.md)
  if (store) {
    sessions.onExpired = async (id) => {
      await store.delete(id);
      await deps.sessions.unbind(id);
    };
  }
  const VERIFY_MS = options.sessionVerifyMs ?? 5000;
  /** when each local session's shared record was last confirmed (ms) */
  const verifiedAt = new Map<string, number>();
  const restoring = new Map<string, Promise<LiveSession | undefined>>();
  /** a transport + MCP server pair, registered in the session registry once its id is known */
  const newSession = (clientAddress: string, onInit?: (id: string) => Promise<void>) => {
    const server = buildServer(deps);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: async (id) => {
        sessions.add({ id, transport, server, clientAddress });
        verifiedAt.set(id, Date.now());
        await onInit?.(id);
      },
      // DELETE ends the session everywhere; a shutdown or a local idle expiry does not: other servers continue it
      onsessionclosed: async (id) => {
        await store?.delete(id);
        await deps.sessions.unbind(id); // its binding would otherwise restore it (recordOrBinding)
      },
    });
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id && sessions.get(id)?.transport === transport) {
        sessions.remove(id, 'deleted');
        verifiedAt.delete(id);
      }
    };
    return { server, transport };
  };
  /**
   * The shared record, else — when Redis lost it (a failover before replication) or cannot answer —
   * a record rebuilt from the session's agent binding in PostgreSQL: the session was initialised and
   * bound; its protocol version is the one the client sends on every request (MCP-Protocol-Version).
   */
  const recordOrBinding = async (sessionId: string, protocolHeader: unknown) => {
    const record = await store!.load(sessionId);
    if (record !== null && record !== 'unknown') return record;
    if (!(await deps.sessions.resolve(sessionId))) return record;
    const rebuilt = recordFromBinding(typeof protocolHeader === 'string' ? protocolHeader : undefined, thisServer);
    await store!.save(sessionId, rebuilt);
    return rebuilt;
  };
  /** the live session: local, or restored from the shared record when another server created it */
  const find = async (sessionId: unknown, protocolHeader: unknown, clientAddress: string): Promise<LiveSession | undefined> => {
    if (typeof sessionId !== 'string') return undefined;
    const local = sessions.get(sessionId);
    if (!store) return local;
    if (local) {
      // every few seconds: slide the shared record's TTL, and notice a DELETE made on another server
      if (Date.now() - (verifiedAt.get(sessionId) ?? 0) < VERIFY_MS) return local;
      const record = await recordOrBinding(sessionId, protocolHeader);
      if (record === null) {
        sessions.remove(sessionId, 'deleted');
        verifiedAt.delete(sessionId);
        await local.server.close().catch(() => undefined);
        return undefined;
      }
      verifiedAt.set(sessionId, Date.now());
      return local;
    }
    let pending = restoring.get(sessionId);
    if (!pending) {
      pending = (async () => {
        const record = await recordOrBinding(sessionId, protocolHeader);
        if (record === null || record === 'unknown') return undefined;
        const { server, transport } = newSession(clientAddress);
        await server.connect(transport);
        restoreSession(transport, server, sessionId, record);
        verifiedAt.set(sessionId, Date.now());
        return sessions.add({ id: sessionId, transport, server, clientAddress });
      })().finally(() => restoring.delete(sessionId));
      restoring.set(sessionId, pending);
    }
    return pending;
  };
  // requests being answered: a shutdown lets them finish (bounded) before it closes the transports
  let inFlight = 0;
  app.post('/mcp', (_req, res, next) => {
    inFlight++;
    res.once('close', () => inFlight--);
    next();
  });
  app.post('/mcp', express.json({ limit: HTTP_BODY_LIMIT_BYTES }), async (req, res) => {
    // the client's address for per-address limits (onboarding); a client cannot choose it
    setClientAddress(req);
    const clientAddress = req.socket.remoteAddress ?? 'unknown';
    const sessionId = req.headers['mcp-session-id'];
    let live: LiveSession | undefined;
    try {
      live = await find(sessionId, req.headers['mcp-protocol-version'], clientAddress);
    } catch (err) {
      return jsonRpcError(res, 503, -32603, `MCP session ${JSON.stringify(sessionId)} could not be restored: ${(err as Error).message}`);
    }
    if (live) {
      const done = sessions.touch(live);
      res.once('close', done);
      return live.transport.handleRequest(req, res, req.body);
    }
    if (sessionId) return jsonRpcError(res, 404, -32001, `Unknown MCP session ${JSON.stringify(sessionId)}; start a new one with initialize.`);
    if (!isInitializeRequest(req.body)) return jsonRpcError(res, 400, -32000, 'No Mcp-Session-Id header: the first request must be initialize.');
    const refusal = sessions.admit(clientAddress);
    if (refusal) {
      res.setHeader('Retry-After', String(refusal.retryAfterSeconds));
      res.status(refusal.status).json({ jsonrpc: '2.0', error: { code: -32000, message: refusal.message, data: { code: refusal.code, retry_after_seconds: refusal.retryAfterSeconds } }, id: null });
      return;
    }
    const body: unknown = req.body;
    const { server, transport } = newSession(clientAddress, async (id) => {
      await store?.save(id, recordFromInitialize(body, thisServer));
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
    // an initialize that did not open a session (invalid) leaves nothing behind
    if (!transport.sessionId || !sessions.get(transport.sessionId)) await server.close().catch(() => undefined);
  });
  const existing = async (req: Request, res: Response) => {
    // the client's address for per-address limits (onboarding); a client cannot choose it
    setClientAddress(req);
    let live: LiveSession | undefined;
    try {
      live = await find(req.headers['mcp-session-id'], req.headers['mcp-protocol-version'], req.socket.remoteAddress ?? 'unknown');
    } catch (err) {
      return jsonRpcError(res, 503, -32603, `MCP session could not be restored: ${(err as Error).message}`);
    }
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
    startDraining: () => {
      draining = true;
    },
    async close() {
      // a rolling restart must not cut calls in flight: their replies are on these transports
      const deadline = Date.now() + 5000;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await dashboard.close();
      await sessions.close();
    },
  };
}
