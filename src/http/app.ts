import { randomUUID } from 'crypto';
import express, { Express, NextFunction, Request, Response } from 'express';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { ServerDeps } from '../mcp/deps';
import { buildServer } from '../mcp/server';
import type { McpSessionStore } from '../cache/mcpSessionStore';
import { recordFromBinding, recordFromInitialize, restoreSession } from './sessionRestore';

export interface HttpOptions {
  host: string;
  port: number;
  /** extra Host header values accepted besides loopback names (GOVDB_ALLOWED_HOSTS) */
  allowedHosts?: string[];
  /** extra Origin values accepted besides loopback origins (GOVDB_ALLOWED_ORIGINS) */
  allowedOrigins?: string[];
  /** shared MCP session records: a session initialised on another server is restored (docs/deploy.md) */
  mcpSessions?: McpSessionStore;
  /** how often a local session re-reads its shared record (slides its TTL, notices a DELETE elsewhere); ms, default 5000 */
  sessionVerifyMs?: number;
}

export interface HttpApp {
  app: Express;
  /** waits (at most 5 s) for POST /mcp requests in flight, then closes every MCP session transport */
  close(): Promise<void>;
  sessionCount(): number;
  /** from now on /health answers 503 (draining), so a balancer stops sending new requests; requests are still served */
  startDraining(): void;
}

function jsonRpcError(res: Response, status: number, code: number, message: string): void {
  res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });
}

/** Express app: POST/GET/DELETE /mcp (Streamable HTTP, stateful sessions), GET /health, GET /metrics. */
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

  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const restoring = new Map<string, Promise<StreamableHTTPServerTransport | undefined>>();
  /** when each local session's shared record was last confirmed (ms) */
  const verifiedAt = new Map<string, number>();
  const VERIFY_MS = options.sessionVerifyMs ?? 5000;
  const store = options.mcpSessions;
  const newTransport = (onInit?: (id: string) => Promise<void>): StreamableHTTPServerTransport => {
    const created: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: async (id) => {
        sessions.set(id, created);
        verifiedAt.set(id, Date.now());
        await onInit?.(id);
      },
      // DELETE ends the session everywhere; a shutdown (close()) does not: other servers continue it
      onsessionclosed: async (id) => {
        await store?.delete(id);
        await deps.sessions.unbind(id); // its binding would otherwise restore it (recordOrBinding)
      },
    });
    created.onclose = () => {
      if (created.sessionId && sessions.get(created.sessionId) === created) {
        sessions.delete(created.sessionId);
        verifiedAt.delete(created.sessionId);
      }
    };
    return created;
  };
  /** the local transport of a session, restored from the shared record when another server created it */
  /**
   * The shared record, else — when Redis lost it (a failover before replication) or cannot answer —
   * a record rebuilt from the session's agent binding in PostgreSQL: the session was initialised and
   * bound; its protocol version is the one the client sends on every request (MCP-Protocol-Version).
   */
  const recordOrBinding = async (sessionId: string, protocolHeader: unknown) => {
    const record = await store!.load(sessionId);
    if (record !== null && record !== 'unknown') return record;
    if (!(await deps.sessions.resolve(sessionId))) return record;
    const rebuilt = recordFromBinding(typeof protocolHeader === 'string' ? protocolHeader : undefined);
    await store!.save(sessionId, rebuilt);
    return rebuilt;
  };
  const find = async (sessionId: unknown, protocolHeader?: unknown): Promise<StreamableHTTPServerTransport | undefined> => {
    if (typeof sessionId !== 'string') return undefined;
    const local = sessions.get(sessionId);
    if (!store) return local;
    if (local) {
      // every few seconds: slide the shared record's TTL, and notice a DELETE made on another server
      if (Date.now() - (verifiedAt.get(sessionId) ?? 0) < VERIFY_MS) return local;
      const record = await recordOrBinding(sessionId, protocolHeader);
      if (record === null) {
        sessions.delete(sessionId);
        verifiedAt.delete(sessionId);
        await local.close().catch(() => undefined);
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
        const transport = newTransport();
        const server = buildServer(deps);
        await server.connect(transport);
        restoreSession(transport, server, sessionId, record);
        sessions.set(sessionId, transport);
        verifiedAt.set(sessionId, Date.now());
        return transport;
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
  app.post('/mcp', express.json({ limit: '4mb' }), async (req, res) => {
    const sessionId = req.headers['mcp-session-id'];
    let transport: StreamableHTTPServerTransport | undefined;
    try {
      transport = await find(sessionId, req.headers['mcp-protocol-version']);
    } catch (err) {
      return jsonRpcError(res, 503, -32603, `MCP session ${JSON.stringify(sessionId)} could not be restored: ${(err as Error).message}`);
    }
    if (!transport) {
      if (sessionId) return jsonRpcError(res, 404, -32001, `Unknown MCP session ${JSON.stringify(sessionId)}; start a new one with initialize.`);
      if (!isInitializeRequest(req.body)) return jsonRpcError(res, 400, -32000, 'No Mcp-Session-Id header: the first request must be initialize.');
      const body: unknown = req.body;
      transport = newTransport(async (id) => {
        await store?.save(id, recordFromInitialize(body));
      });
      await buildServer(deps).connect(transport);
    }
    await transport.handleRequest(req, res, req.body);
  });
  const existing = async (req: Request, res: Response) => {
    let transport: StreamableHTTPServerTransport | undefined;
    try {
      transport = await find(req.headers['mcp-session-id'], req.headers['mcp-protocol-version']);
    } catch (err) {
      return jsonRpcError(res, 503, -32603, `MCP session could not be restored: ${(err as Error).message}`);
    }
    if (!transport) return jsonRpcError(res, 404, -32001, 'Unknown or missing Mcp-Session-Id.');
    await transport.handleRequest(req, res);
  };
  app.get('/mcp', existing);
  app.delete('/mcp', existing);

  return {
    app,
    sessionCount: () => sessions.size,
    startDraining: () => {
      draining = true;
    },
    async close() {
      // a rolling restart must not cut calls in flight: their replies are on these transports
      const deadline = Date.now() + 5000;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await Promise.all([...sessions.values()].map((t) => t.close().catch(() => undefined)));
      sessions.clear();
    },
  };
}
