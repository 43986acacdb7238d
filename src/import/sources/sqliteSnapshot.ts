import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'fs';
import os from 'os';
import path from 'path';

/**
 * Opens a private copy of a legacy SQLite database (with its -wal, if any). The legacy files are in
 * WAL mode: even a read-only open creates -shm/-wal files next to them, and the importer must never
 * write into a source directory. The copy also gives a consistent snapshot if the old server still runs.
 */
export function openSqliteSnapshot(file: string): { db: Database.Database; close(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'govdb-import-sqlite-'));
  const copy = path.join(dir, path.basename(file));
  try {
    copyFileSync(file, copy);
    if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
    const db = new Database(copy, { fileMustExist: true });
    return {
      db,
      close() {
        db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
