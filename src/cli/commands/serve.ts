import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { Command } from 'commander';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { loadConfig } from '../../config';
import { createHttpApp } from '../../http/app';
import { buildServer } from '../../mcp/server';
import { listenOrExplain } from '../../server/preflight';
import { startRuntime } from '../../server/runtime';
import { reportError } from '../output';

const log = (line: string) => process.stderr.write(line + '\n');

/** How long the stdio server may take to flush and exit after its client closed stdin. */
const STDIN_CLOSED_EXIT_MS = 2000;

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the governance MCP server: Streamable HTTP on /mcp (default port 8767, loopback) with GET /health and GET /metrics, or --stdio for MCP clients that launch it. Uses DB_POSTGRES_URL, or the embedded store when it is unset.')
    .option('--stdio', 'speak MCP over stdin/stdout (nothing else is written to stdout); exits when stdin closes')
    .option('--migrate', 'apply pending ledger items at start instead of refusing to start')
    .option('--port <port>', 'HTTP port (default $PORT or 8767)')
    .option('--host <host>', 'HTTP bind address (default $HOST or 127.0.0.1)')
    .action(async (opts: { stdio?: boolean; migrate?: boolean; port?: string; host?: string }) => {
      let runtime: Awaited<ReturnType<typeof startRuntime>> | undefined;
      let http: Server | undefined;
      let httpApp: ReturnType<typeof createHttpApp> | undefined;
      // GOVDB_SHUTDOWN_DRAIN_MS, known once the configuration is loaded
      let drainMs = 0;
      let closing = false;
      const shutdown = async (why: string, deadlineMs = 10_000) => {
        if (closing) return;
        closing = true;
        log(`govdb: ${why}: shutting down (flushing the audit trail)`);
        // never hang: exit with what is flushed by the deadline
        setTimeout(() => {
          log(`govdb: shutdown did not finish within ${deadlineMs} ms; exiting`);
          process.exit(1);
        }, deadlineMs).unref();
        if (http && httpApp) {
          // behind a balancer: fail its health check first and keep serving until it has noticed
          // (GOVDB_SHUTDOWN_DRAIN_MS, default 0; scripts/topology.sh sets 3000 for HAProxy's 2 × 1 s check)
          if (drainMs > 0) {
            httpApp.startDraining();
            await new Promise((r) => setTimeout(r, drainMs));
          }
        }
        if (http) {
          // stop accepting, end the MCP sessions (their SSE streams would keep connections open), then wait
          const closed = new Promise<void>((resolve) => http!.close(() => resolve()));
          await httpApp?.close();
          http.closeIdleConnections();
          await Promise.race([closed, new Promise((r) => setTimeout(r, 5000).unref())]);
          http.closeAllConnections();
        }
        await runtime?.close();
        process.exit(0);
      };
      try {
        const config = loadConfig({ ...process.env, ...(opts.port ? { PORT: opts.port } : {}), ...(opts.host ? { HOST: opts.host } : {}) });
        drainMs = config.http.shutdownDrainMs;
        // requests that arrive between binding the port and the end of start-up get 503
        let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
        runtime = await startRuntime(config, {
          migrate: opts.migrate,
          clientName: opts.stdio ? 'stdio' : 'http',
          log,
          // the port is bound BEFORE the audit-log lock is taken: a second server on the same port
          // is told "port in use", not "audit log locked by another process"
          beforeAudit: opts.stdio
            ? undefined
            : async () => {
                http = createServer((req, res) => {
                  if (handler) return handler(req, res);
                  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }).end(JSON.stringify({ error: { code: 'STARTING', message: 'govdb is starting' } }));
                });
                // idle keep-alive sockets outlive the clients' own idle timeout (undici: the server's hint
                // minus 1 s), so a client never sends a request on a socket the server is closing (ECONNRESET)
                http.keepAliveTimeout = 65_000;
                http.headersTimeout = 66_000;
                await listenOrExplain(http, config.port, config.host);
              },
        });
        process.once('SIGINT', () => void shutdown('SIGINT'));
        process.once('SIGTERM', () => void shutdown('SIGTERM'));
        if (opts.stdio) {
          const transport = new StdioServerTransport();
          transport.onclose = () => void shutdown('stdio transport closed', STDIN_CLOSED_EXIT_MS);
          // the SDK does not report the end of stdin: the client closing its end means we are done
          process.stdin.once('end', () => void shutdown('stdin ended', STDIN_CLOSED_EXIT_MS));
          process.stdin.once('close', () => void shutdown('stdin closed', STDIN_CLOSED_EXIT_MS));
          await buildServer(runtime.deps).connect(transport);
          log(`govdb: MCP server on stdio (${runtime.database.store} store)`);
          return;
        }
        const app = (httpApp = createHttpApp(runtime.deps, {
          host: config.host,
          port: config.port,
          allowedHosts: config.http.allowedHosts,
          allowedOrigins: config.http.allowedOrigins,
          serverName: config.http.serverName,
          sessions: config.sessions,
          mcpSessions: runtime.cache.mcpSessions,
        }));
        handler = app.app;
        log(`govdb: MCP server on http://${config.host}:${config.port}/mcp (health: /health, metrics: /metrics; ${runtime.database.store} store)`);
      } catch (err) {
        // one line (docs/operations.md): operators and supervisors grep for it
        reportError(err, false, 1, { context: 'cannot start' });
        http?.close();
        await runtime?.close().catch(() => undefined);
        process.exit(1);
      }
    });
}
