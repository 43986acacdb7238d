import { readFileSync } from 'fs';
import path from 'path';
import { renderMcpDocs } from '../../src/mcp/toolDocs';

/** docs/mcp.md is generated from the registered tools; regenerate with `npm run docs:mcp`. */
describe('docs/mcp.md', () => {
  it('is fresh: it equals what the registered tools render', () => {
    const committed = readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'mcp.md'), 'utf8');
    expect(committed).toBe(renderMcpDocs());
  });
});
