import { Command } from 'commander';
import path from 'path';
import { defaultProjectRoot } from '../../db/migrate/ledgerFiles';
import { LINT_EXIT, lintMigrations } from '../../db/migrate/lint';
import { printJson, reportError } from '../output';

export function registerLint(program: Command): void {
  program
    .command('lint')
    .description('Lint migrations/current.sql and the committed migrations after [govdb] lint_baseline with squawk (.squawk.toml). Exit 0 clean, 1 findings, 2 error')
    .argument('[files...]', 'lint these SQL files instead')
    .option('--json', 'machine-readable output on stdout')
    .option('--root <dir>', 'project root holding .squawk.toml and migrations/ (default: this installation)')
    .action(async (files: string[], opts: { json?: boolean; root?: string }) => {
      try {
        const root = opts.root ? path.resolve(opts.root) : defaultProjectRoot();
        const result = await lintMigrations(root, { files: files.length ? files.map((f) => path.resolve(f)) : undefined });
        const exitCode = result.findings.length ? LINT_EXIT.FINDINGS : LINT_EXIT.CLEAN;
        if (opts.json) printJson({ ok: exitCode === 0, ...result });
        else {
          for (const f of result.findings) {
            process.stdout.write(`${f.file}:${f.line}:${f.column}: ${f.level.toLowerCase()}: ${f.rule}: ${f.message}\n`);
            if (f.help) process.stdout.write(`  help: ${f.help}\n`);
          }
          process.stdout.write(`${result.files.length} file(s) linted (committed migrations after ${result.baseline}${files.length ? ', as given' : ' and migrations/current.sql'}); ${result.findings.length} finding(s).\n`);
        }
        process.exitCode = exitCode;
      } catch (err) {
        reportError(err, !!opts.json, LINT_EXIT.ERROR);
      }
    });
}
