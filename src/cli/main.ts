import { Command } from 'commander';
import { registerMigrate } from './commands/migrate';
import { registerStatus } from './commands/status';
import { registerLint } from './commands/lint';
import { registerAudit } from './commands/audit';
import { registerDrift } from './commands/drift';
import { registerImport } from './commands/import';
import { registerServe } from './commands/serve';
import { registerGraph } from './commands/graph';
import { registerBackup, registerRestore } from './commands/backup';

export function buildProgram(): Command {
  const program = new Command('govdb')
    .description('govdb: the data platform of the governance MCP server')
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- package.json lies outside rootDir, so it cannot be imported
    .version(require('../../package.json').version)
    .showHelpAfterError();
  registerMigrate(program);
  registerStatus(program);
  registerLint(program);
  registerAudit(program);
  registerDrift(program);
  registerImport(program);
  registerServe(program);
  registerGraph(program);
  registerBackup(program);
  registerRestore(program);
  return program;
}

export function main(argv: string[]): void {
  buildProgram()
    .parseAsync(argv)
    .catch((err: Error) => {
      process.stderr.write(`govdb: ${err.message}\n`);
      process.exitCode = 2;
    });
}
