import { createServer, Server } from 'http';
import { Command } from 'commander';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { loadConfig } from '../../config';
import { isGovdbError } from '../../errors';
import { createHttpApp } from '../../http/app';
import { buildServer } from '../../mcp/server';
import { startRuntime } from '../../server/runtime';

const log = (line: string) => process.stderr.write(line + '\n');

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the governance MCP server: Streamable HTTP on /mcp (default port 8767, loopback) with GET /health and GET /metrics, or --stdio for MCP clients that launch it. Uses DB_POSTGRES_URL, or the embedded store when it is unset.')
    .option('--stdio', 'speak MCP over stdin/stdout (nothing else is written to stdout)')
    .option('--migrate', 'apply pending ledger items at start instead of refusing to start')
    .option('--port <port>', 'HTTP port (default $PORT or 8767)')
    .option('--host <host>', 'HTTP bind address (default $HOST or 127.0.0.1)')
    .action(async (opts: { stdio?: boolean; migrate?: boolean; port?: string; host?: string }) => {
      let runtime: Awaited<ReturnType<typeof startRuntime>> | undefined;
      let http: Server | undefined;
      let httpApp: ReturnType<typeof createHttpApp> | undefined;
      let closing = false;
      const shutdown = async (signal: string) => {
        if (closing) return;
        closing = true;
        log(`govdb: ${signal}: shutting down (flushing the audit trail)`);
        if (http && httpApp) {
          // behind a balancer: fail its health check first and keep serving until it has noticed
          // (GOVDB_SHUTDOWN_DRAIN_MS, default 0; scripts/topology.sh sets 3000 for HAProxy's 2 × 1 s check)
          const drainMs = Number(process.env.GOVDB_SHUTDOWN_DRAIN_MS) || 0;
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
        runtime = await startRuntime(config, { migrate: opts.migrate, clientName: opts.stdio ? 'stdio' : 'http', log });
        process.once('SIGINT', () => void shutdown('SIGINT'));
        process.once('SIGTERM', () => void shutdown('SIGTERM'));
        if (opts.stdio) {
          const transport = new StdioServerTransport();
          transport.onclose = () => void shutdown('stdin closed');
          await buildServer(runtime.deps).connect(transport);
          log(`govdb: MCP server on stdio (${runtime.database.store} store)`);
          return;
        }
        const app = (httpApp = createHttpApp(runtime.deps, {
          host: config.host,
          port: config.port,
          allowedHosts: (process.env.GOVDB_ALLOWED_HOSTS ?? '').split(',').filter(Boolean),
          allowedOrigins: (process.env.GOVDB_ALLOWED_ORIGINS ?? '').split(',').filter(Boolean),
          mcpSessions: runtime.cache.mcpSessions,
        }));
        http = createServer(app.app);
        await new Promise<void>((resolve, reject) => {
          http!.once('error', reject);
          http!.listen(config.port, config.host, () => resolve());
        });
        log(`govdb: MCP server on http://${config.host}:${config.port}/mcp (health: /health, metrics: /metrics; ${runtime.database.store} store)`);
      } catch (err) {
        const message = isGovdbError(err) ? `${err.code}: ${err.message}${err.hint ? ` (${err.hint})` : ''}` : (err as Error).message;
        log(`govdb: cannot start: ${message.replace(/\n/g, ' ')}`);
        await runtime?.close().catch(() => undefined);
        process.exit(1);
      }
    });
}
