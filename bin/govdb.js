#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run automatically by `npm test`).
try {
  require('../dist/cli/main.js').main(process.argv);
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    process.stderr.write('govdb: not built yet; run `npm run build` first\n');
    process.exit(2);
  }
  throw err;
}
