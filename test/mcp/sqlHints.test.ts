import { readdirSync, readFileSync } from 'fs';
import path from 'path';
import { functionSignatures } from '../../src/db/generated/functions';
import { allTools } from '../../src/mcp/tools';

/**
 * Hints raised by stored functions reach MCP clients as they are (issue 12, finding 8: a hint named
 * `onboard_agent`, a SQL function, instead of the `onboard` tool). A hint names tools, never a
 * stored function a client cannot call.
 */
describe('hints of stored functions name tools, not SQL functions', () => {
  const dir = path.resolve(__dirname, '..', '..', 'sql', 'functions');
  const tools = new Set(allTools.map((t) => t.name));
  const allFunctions = new Set<string>(functionSignatures.map((f) => f.name));
  const sqlFunctions = new Set<string>(functionSignatures.map((f) => f.name).filter((name) => !tools.has(name)));
  const hints: Array<{ file: string; text: string }> = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql'))) {
    const sql = readFileSync(path.join(dir, file), 'utf8');
    // every string literal of a hint expression: hint = '…', format('…', …), case when … then '…' else '…' end
    for (const m of sql.matchAll(/\bhint\s*=\s*([\s\S]*?)(?:,\s*(?:detail|message|errcode|column|constraint)\s*=|;)/gi)) {
      for (const lit of m[1]!.matchAll(/'((?:[^']|'')*)'/g)) hints.push({ file, text: lit[1]!.replace(/''/g, "'") });
    }
  }

  it('finds the hints', () => {
    expect(hints.length).toBeGreaterThan(20);
  });

  it('no hint names a schema-qualified or non-tool stored function', () => {
    const wrong = hints.flatMap(({ file, text }) => {
      const qualified = [...text.matchAll(/\b(?:core|knowledge|audit)\.([a-z_]+)/g)].filter((m) => allFunctions.has(m[1]!)).map((m) => m[0]);
      const named = [...text.matchAll(/\b[a-z]+(?:_[a-z]+)+\b/g)].map((m) => m[0]).filter((w) => sqlFunctions.has(w));
      return [...qualified, ...named].map((w) => `${file}: "${w}" in hint "${text}"`);
    });
    expect(wrong).toEqual([]);
  });
});
