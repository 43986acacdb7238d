import { promises as fs } from 'fs';
import os from 'os';
import path from 'path';

/** Test helpers for the ledger: a temporary copy of the repository's ledger files. */
export const ROOT = path.resolve(__dirname, '..', '..');

// eslint-disable-next-line @typescript-eslint/no-require-imports -- graphile-migrate internals ship no type declarations and are not in its exports
export const { calculateHash } = require('graphile-migrate/dist/hash') as { calculateHash(body: string, previous: string | null): string };

/** Copies migrations/, cypher/, sql/, .gmrc and .squawk.toml into a new temp folder and returns it. */
export async function copyLedger(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'govdb-ledger-'));
  for (const entry of ['migrations', 'cypher', 'sql', '.gmrc', '.squawk.toml']) {
    await fs.cp(path.join(ROOT, entry), path.join(dir, entry), { recursive: true }).catch((err) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
  return dir;
}

/** The committed SQL migration files of `root`, sorted. */
export async function committedFiles(root: string): Promise<string[]> {
  return (await fs.readdir(path.join(root, 'migrations', 'committed'))).filter((f) => /^\d+.*\.sql$/.test(f)).sort();
}

/** The Hash header of the last committed migration of `root` (the next one's Previous). */
export async function lastHash(root: string): Promise<string> {
  const files = await committedFiles(root);
  const text = await fs.readFile(path.join(root, 'migrations', 'committed', files[files.length - 1]!), 'utf8');
  return /^--! Hash: (\S+)$/m.exec(text)![1]!;
}

/** Writes a committed migration in graphile-migrate's format with a correct hash chain; returns its Hash. */
export async function addMigration(root: string, number: number, name: string, body: string, extraHeaders: string[] = []): Promise<string> {
  const previous = await lastHash(root);
  const hash = calculateHash(body, previous);
  const file = path.join(root, 'migrations', 'committed', `${String(number).padStart(6, '0')}-${name}.sql`);
  await fs.writeFile(file, [`--! Previous: ${previous}`, `--! Hash: ${hash}`, `--! Message: ${name}`, ...extraHeaders].join('\n') + '\n\n' + body);
  return hash;
}

export function toCrlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}
