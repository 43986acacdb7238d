import { promises as fs } from 'fs';
import { checkLine } from './auditLine';
import { forEachLine } from './logFiles';

export interface VerifyResult {
  ok: boolean;
  files: Array<{ file: string; lines: number }>;
  /** Complete lines checked. */
  lines: number;
  /** prev_hash of the first line: null when the chain starts at its genesis line. */
  anchor: string | null;
  lastHash: string | null;
  /** The first line that breaks the chain. */
  broken?: { file: string; line: number; reason: string };
  /** An unterminated last line of the last file: an interrupted write, not part of the chain. */
  tornTail?: { file: string; line: number; offset: number; bytes: number };
}

/**
 * Checks files as one chain, in the order given: every complete line must be a valid audit line
 * (auditLine.checkLine) whose prev_hash is the hash of the line before it; the first line's prev_hash
 * is taken as the anchor. Bytes after the last newline of the LAST file are a torn tail (reported,
 * not an error: a crash cut that write, and its append() never resolved); anywhere else they break
 * the chain.
 */
export async function verifyChain(files: string[]): Promise<VerifyResult> {
  const result: VerifyResult = { ok: true, files: [], lines: 0, anchor: null, lastHash: null };
  let first = true;
  for (const [index, file] of files.entries()) {
    try {
      await fs.access(file);
    } catch {
      result.ok = false;
      result.broken = { file, line: 0, reason: 'file not found' };
      return result;
    }
    const info = await forEachLine(file, (text, line) => {
      const check = checkLine(text);
      if (!check.ok) {
        result.broken = { file, line, reason: check.reason };
        return false;
      }
      if (first) {
        result.anchor = check.line.prev_hash;
        first = false;
      } else if (check.line.prev_hash !== result.lastHash) {
        result.broken = { file, line, reason: `chain broken: prev_hash ${check.line.prev_hash} is not the hash of the line before it (${result.lastHash}): a line was removed, inserted or reordered` };
        return false;
      }
      result.lastHash = check.line.hash;
      result.lines++;
      return true;
    });
    if (result.broken) {
      result.ok = false;
      result.files.push({ file, lines: result.broken.line - 1 });
      return result;
    }
    result.files.push({ file, lines: info.lines });
    if (info.tailBytes > 0) {
      const tail = { file, line: info.lines + 1, offset: info.tailOffset, bytes: info.tailBytes };
      if (index === files.length - 1) result.tornTail = tail;
      else {
        result.ok = false;
        result.broken = { file, line: tail.line, reason: `${tail.bytes} bytes without a final newline in a file that is followed by another` };
        return result;
      }
    }
  }
  return result;
}
