import { reportError } from '../../src/cli/output';
import { GovdbError } from '../../src/errors';

// The one error printer of every govdb command (src/cli/output.ts): what a user sees is pinned here.

function capture(fn: () => void): { stdout: string; stderr: string; exitCode: number | string | undefined } {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
  const before = process.exitCode;
  process.stdout.write = ((chunk: string) => out.push(chunk) > 0);
  process.stderr.write = ((chunk: string) => err.push(chunk) > 0);
  try {
    fn();
    return { stdout: out.join(''), stderr: err.join(''), exitCode: process.exitCode };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    process.exitCode = before;
  }
}

const unreachable = new GovdbError('DB_UNREACHABLE', 'Cannot connect to PostgreSQL at postgres://govdb@127.0.0.1:1/none: connect ECONNREFUSED', {
  hint: 'Check DB_POSTGRES_URL and that the server is running (scripts/db/pg-age.sh status).',
});

test('human form: code and message, then the hint, on stderr; the exit code is the caller\'s', () => {
  const r = capture(() => reportError(unreachable, false, 3));
  expect(r.stdout).toBe('');
  expect(r.exitCode).toBe(3);
  expect(r.stderr).toMatchInlineSnapshot(`
"govdb: DB_UNREACHABLE: Cannot connect to PostgreSQL at postgres://govdb@127.0.0.1:1/none: connect ECONNREFUSED
hint: Check DB_POSTGRES_URL and that the server is running (scripts/db/pg-age.sh status).
"
`);
});

test('--json: the error object on stdout, nothing on stderr', () => {
  const r = capture(() => reportError(unreachable, true, 2));
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(2);
  expect(JSON.parse(r.stdout)).toEqual({ ok: false, error: { code: 'DB_UNREACHABLE', message: unreachable.message, hint: unreachable.hint } });
});

test('an error without a code is INTERNAL; a missing schema says to migrate', () => {
  expect(capture(() => reportError(new Error('boom'), false)).stderr).toMatchInlineSnapshot(`
"govdb: INTERNAL: boom
"
`);
  const missing = Object.assign(new Error('schema "core" does not exist'), { code: '3F000' });
  expect(capture(() => reportError(missing, false)).stderr).toMatchInlineSnapshot(`
"govdb: SCHEMA_MISSING: The database has no govdb schema (schema "core" does not exist): run \`govdb migrate\` first.
hint: govdb migrate applies the ledger (migrations, Cypher, functions) to the database.
"
`);
});

test('with a context (govdb serve): one line, hint in parentheses, newlines folded', () => {
  const config = new GovdbError('CONFIG_INVALID', 'Invalid configuration:\n  - PORT="x" must be an integer between 1 and 65535', { hint: 'Fix the variables listed.' });
  const r = capture(() => reportError(config, false, 1, { context: 'cannot start' }));
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toMatchInlineSnapshot(`
"govdb: cannot start: CONFIG_INVALID: Invalid configuration: - PORT="x" must be an integer between 1 and 65535 (Fix the variables listed.)
"
`);
});
