import { promises as fs } from 'fs';
import { GovdbError } from '../errors';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One writer per audit log: two writers would fork the hash chain. The lock is a file holding the
 * owner's pid, created exclusively; a lock whose process no longer exists (a crash, SIGKILL) is
 * taken over. Returns the release function.
 */
export async function acquirePidLock(file: string, what: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await fs.open(file, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return async () => {
        await fs.rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(owner) && owner > 0 && processAlive(owner)) {
      throw new GovdbError('CONFLICT', `${what} is already open for writing by process ${owner}${owner === process.pid ? ' (this process)' : ''} (lock file ${file})`, {
        hint: 'Each server process needs its own audit log file: set GOVDB_AUDIT_LOG to a distinct path per process.',
      });
    }
    await fs.rm(file, { force: true }); // stale: its owner is gone
  }
  throw new GovdbError('CONFLICT', `Could not take the lock ${file} for ${what}: another process keeps recreating it`);
}
