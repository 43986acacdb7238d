import { Command } from 'commander';
import { connectClient } from '../../db/pool';
import { defaultProjectRoot, loadLedgerFiles } from '../../db/migrate/ledgerFiles';
import { readLedgerStatus, STATUS_EXIT, statusExitCode } from '../../db/migrate/status';
import { isGovdbError } from '../../errors';
import { addDatabaseOption, printJson, reportError, resolveDatabaseUrl } from '../output';

export function registerStatus(program: Command): void {
  addDatabaseOption(
    program
      .command('status')
      .description('Report each ledger file as applied, pending, changed or missing, per kind. Exit 0 up to date, 1 something to apply (pending, or a changed function file), 2 inconsistent (a changed or missing SQL/Cypher migration, an invalid file), 3 database unreachable or other error')
      .option('--json', 'machine-readable output on stdout'),
  ).action(async (opts: { json?: boolean; databaseUrl?: string }) => {
    try {
      const url = resolveDatabaseUrl(opts);
      const files = await loadLedgerFiles(defaultProjectRoot(), url);
      const client = await connectClient(url);
      try {
        const status = await readLedgerStatus(client, files);
        const exitCode = statusExitCode(status);
        if (opts.json) printJson({ ok: exitCode === 0, ...status });
        else {
          process.stdout.write(`SQL schema version: ${status.sqlVersion ?? 'none'}\n`);
          for (const kind of ['sql', 'cypher', 'function'] as const) {
            process.stdout.write(`${kind.padEnd(8)} applied ${status.applied[kind]}, pending ${status.pending[kind]}, changed ${status.changed[kind]}, missing ${status.missing[kind]}\n`);
          }
          for (const item of status.items.filter((i) => i.state !== 'applied')) {
            process.stdout.write(`  ${item.state.padEnd(8)} ${item.kind.padEnd(8)} ${item.file}\n`);
          }
          for (const p of status.problems) process.stderr.write(`govdb: ${p.code}: ${p.message}\n`);
        }
        process.exitCode = exitCode;
      } finally {
        await client.end();
      }
    } catch (err) {
      reportError(err, !!opts.json, isGovdbError(err) && err.code === 'MIGRATION_FILE_INVALID' ? STATUS_EXIT.INCONSISTENT : STATUS_EXIT.UNREACHABLE);
    }
  });
}
