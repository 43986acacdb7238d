#!/usr/bin/env node
// Recomputes the graphile-migrate Previous/Hash headers of committed migrations that have NOT been
// applied anywhere yet (e.g. while a new migration is still on a branch). Never use it on a
// migration that any database has applied: `govdb migrate` will refuse the edited file.
//   node scripts/rehash-uncommitted-migrations.js 000003   (rehash from this number on)
const fs = require('fs');
const path = require('path');
const { calculateHash } = require('graphile-migrate/dist/hash');
const { parseMigrationText } = require('graphile-migrate/dist/migration');
const dir = path.join(__dirname, '..', 'migrations', 'committed');
const from = parseInt(process.argv[2] || '', 10);
if (!Number.isInteger(from)) { console.error('usage: rehash-uncommitted-migrations.js FIRST_NUMBER'); process.exit(2); }
let prev = null;
for (const file of fs.readdirSync(dir).filter((f) => /^\d+(-.*)?\.sql$/.test(f)).sort()) {
  const full = path.join(dir, file);
  const { headers, body } = parseMigrationText(full, fs.readFileSync(full, 'utf8'));
  if (parseInt(file, 10) >= from) {
    const hash = calculateHash(body, prev);
    const rest = Object.entries(headers).filter(([k]) => k !== 'Previous' && k !== 'Hash').map(([k, v]) => `--! ${k}${v ? `: ${v}` : ''}`);
    fs.writeFileSync(full, [`--! Previous: ${prev ?? '-'}`, `--! Hash: ${hash}`, ...rest].join('\n') + '\n\n' + body);
    console.error(`rehashed ${file}`);
    prev = hash;
  } else prev = headers.Hash;
}
