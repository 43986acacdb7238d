import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/**
 * Latencies (ms, per tool name and overall) and errors of MCP tool calls made by load generators
 * (the mixed workload, the topology load). An error result or a thrown error counts as an error and
 * its call still counts as a sample; the first `keepErrors` messages are kept for the report.
 */
export class ToolCallRecorder {
  readonly samples = new Map<string, number[]>();
  readonly all: number[] = [];
  errors = 0;
  readonly firstErrors: string[] = [];

  constructor(private readonly keepErrors = 5) {}

  /** A `call(name, args)` over `client` that records into this recorder: the structured output, or undefined on error. */
  caller(client: Client): (name: string, args: Record<string, unknown>) => Promise<Record<string, unknown> | undefined> {
    return async (name, args) => {
      const t = process.hrtime.bigint();
      try {
        const r = (await client.callTool({ name, arguments: args })) as CallToolResult;
        if (r.isError) throw new Error(JSON.stringify(r.content).slice(0, 200));
        return r.structuredContent;
      } catch (err) {
        this.errors++;
        if (this.firstErrors.length < this.keepErrors) this.firstErrors.push(`${name}: ${(err as Error).message}`);
        return undefined;
      } finally {
        const ms = Number(process.hrtime.bigint() - t) / 1e6;
        this.all.push(ms);
        let s = this.samples.get(name);
        if (!s) this.samples.set(name, (s = []));
        s.push(ms);
      }
    };
  }
}
