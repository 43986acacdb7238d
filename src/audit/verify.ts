import { promises as fs } from 'fs';
import { AuditLine, checkLine, pgProblem } from './auditLine';
import { forEachLine } from './logFiles';

/** One bad line (or file) found by verifyChain; verification goes on after it. */
export interface VerifyProblem {
  file: string;
  /** 1-based line number in its file (0 for a missing file) */
  line: number;
  /**
   * invalid: not a valid audit line (JSON, keys, types, hash, written form); chain: prev_hash is not
   * the hash of the line before (a line removed, inserted or reordered); unloadable: a valid line
   * PostgreSQL's json refuses (NUL, unpaired surrogate; older writers could write them); torn: bytes
   * without a final newline in a file followed by another; missing_file: a file given that is absent.
   */
  kind: 'invalid' | 'chain' | 'unloadable' | 'torn' | 'missing_file';
  reason: string;
}

export interface VerifyResult {
  ok: boolean;
  files: Array<{ file: string; lines: number }>;
  /** Complete lines read (valid or not). */
  lines: number;
  /** prev_hash of the first valid line: null when the chain starts at its genesis line. */
  anchor: string | null;
  lastHash: string | null;
  /** Every problem, in file order. */
  problems: VerifyProblem[];
  /** The first problem (kept for callers that want one). */
  broken?: VerifyProblem;
  /** An unterminated last line of the last file: an interrupted write, not part of the chain. */
  tornTail?: { file: string; line: number; offset: number; bytes: number };
}

/** A line that passed the checks, with its place: what the database comparison walks over. */
export interface VerifiedLine {
  file: string;
  fileIndex: number;
  line: number;
  value: AuditLine;
}

/**
 * Checks files as one chain, in the order given: every complete line must be a valid audit line
 * (auditLine.checkLine) whose prev_hash is the hash of the line before it, and loadable by
 * PostgreSQL. The first line's prev_hash is taken as the anchor. Every bad line is reported with its
 * file and number and verification carries on: after a line whose content was changed, the chain
 * continues from the hash it states; after an unreadable line, from the next line's prev_hash.
 * Bytes after the last newline of the LAST file are a torn tail (reported, not a problem: a crash
 * cut that write, and it was never acknowledged); anywhere else they are a problem.
 * `onLine` receives every valid line (loadable or not) in chain order.
 */
export async function verifyChain(files: string[], onLine?: (l: VerifiedLine & { loadable: boolean }) => void | Promise<void>): Promise<VerifyResult> {
  const result: VerifyResult = { ok: true, files: [], lines: 0, anchor: null, lastHash: null, problems: [] };
  let first = true;
  // undefined: the line before could not be read, so the next line's prev_hash cannot be checked
  let expectedPrev: string | null | undefined = null;
  for (const [index, file] of files.entries()) {
    try {
      await fs.access(file);
    } catch {
      result.problems.push({ file, line: 0, kind: 'missing_file', reason: 'file not found' });
      result.files.push({ file, lines: 0 });
      expectedPrev = undefined;
      continue;
    }
    const info = await forEachLine(file, async (text, line) => {
      result.lines++;
      const check = checkLine(text);
      if (!check.ok) {
        result.problems.push({ file, line, kind: 'invalid', reason: check.reason });
        expectedPrev = statedHash(text);
        return true;
      }
      if (first) {
        result.anchor = check.line.prev_hash;
        first = false;
      } else if (expectedPrev !== undefined && check.line.prev_hash !== expectedPrev) {
        result.problems.push({ file, line, kind: 'chain', reason: `chain broken: prev_hash ${check.line.prev_hash} is not the hash of the line before it (${expectedPrev}): a line was removed, inserted or reordered` });
      }
      const unsafe = pgProblem(check.line);
      if (unsafe) result.problems.push({ file, line, kind: 'unloadable', reason: `PostgreSQL cannot load this line: ${unsafe}` });
      expectedPrev = check.line.hash;
      result.lastHash = check.line.hash;
      await onLine?.({ file, fileIndex: index, line, value: check.line, loadable: !unsafe });
      return true;
    });
    result.files.push({ file, lines: info.lines });
    if (info.tailBytes > 0) {
      const tail = { file, line: info.lines + 1, offset: info.tailOffset, bytes: info.tailBytes };
      if (index === files.length - 1) result.tornTail = tail;
      else {
        result.problems.push({ file, line: tail.line, kind: 'torn', reason: `${tail.bytes} bytes without a final newline in a file that is followed by another` });
        expectedPrev = undefined;
      }
    }
  }
  result.ok = result.problems.length === 0;
  if (result.problems.length) result.broken = result.problems[0];
  return result;
}

/** The hash a damaged line states, when it can still be read: the next line chains to it. */
function statedHash(text: string): string | null | undefined {
  try {
    const obj = JSON.parse(text) as { hash?: unknown };
    return typeof obj?.hash === 'string' ? obj.hash : undefined;
  } catch {
    return undefined;
  }
}
