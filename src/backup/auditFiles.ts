import { promises as fs } from 'fs';
import path from 'path';
import { completeEnd, listLogFiles, rotatedPath } from '../audit/logFiles';
import { verifyChain, VerifyResult } from '../audit/verify';

/** One audit file in a backup: its name in audit/ and its rotation number (null: the active file). */
export interface BackedUpAuditFile {
  path: string;
  seq: number | null;
}

/**
 * Copies an audit log (rotated files, then the active file) into `destDir`, while its writer may be
 * appending: rotated files are never written again and are copied whole; the active file is copied
 * up to its last newline at the moment it is read (a line being written is left for the next
 * backup). The copies are then verified as one chain; a rotation that happened during the copy
 * shows as a broken chain and the copy is taken again (3 attempts).
 */
export async function copyAuditLog(activePath: string, destDir: string): Promise<{ files: BackedUpAuditFile[]; chain: VerifyResult }> {
  let last: { files: BackedUpAuditFile[]; chain: VerifyResult } | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    await fs.rm(destDir, { recursive: true, force: true });
    await fs.mkdir(destDir, { recursive: true, mode: 0o700 });
    const files: BackedUpAuditFile[] = [];
    for (const f of await listLogFiles(activePath)) {
      const dest = path.join(destDir, f.name);
      if (f.seq !== null) await fs.copyFile(f.path, dest);
      else await copyPrefix(f.path, dest);
      files.push({ path: f.name, seq: f.seq });
    }
    const chain = await verifyChain(files.map((f) => path.join(destDir, f.path)));
    last = { files, chain };
    if (chain.ok) return last;
  }
  return last!;
}

/** Copies the complete lines of a file being appended to. */
async function copyPrefix(src: string, dest: string): Promise<void> {
  const handle = await fs.open(src, 'r');
  const out = await fs.open(dest, 'w', 0o600);
  try {
    const { size } = await handle.stat();
    const end = await completeEnd(handle, size);
    const buf = Buffer.alloc(1024 * 1024);
    for (let pos = 0; pos < end; ) {
      const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, end - pos), pos);
      if (bytesRead === 0) break;
      await out.write(buf, 0, bytesRead);
      pos += bytesRead;
    }
    await out.sync();
  } finally {
    await out.close();
    await handle.close();
  }
}

/** Where each backed-up file goes for a log whose active file is `activePath`. */
export function restoredAuditPaths(activePath: string, files: BackedUpAuditFile[]): Array<{ from: string; to: string }> {
  return files.map((f) => ({ from: f.path, to: f.seq === null ? activePath : rotatedPath(activePath, f.seq) }));
}
