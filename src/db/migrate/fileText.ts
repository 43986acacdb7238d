import { createHash } from 'crypto';
import { GovdbError } from '../../errors';

/**
 * Ledger files as people save them: a Windows checkout without .gitattributes gives CRLF line
 * endings, some editors add a UTF-8 byte-order mark. What each kind does with them:
 *
 * - Cypher and function files are read as LF text without a BOM (`normaliseText`) and their checksum
 *   is sha256 of that text (`textChecksum`). For a file with LF endings and no BOM this is sha256 of
 *   the file exactly as before, so ledger rows written by earlier versions stay valid.
 * - Committed SQL migrations are refused with a CRLF/BOM error (`assertSqlMigrationText`):
 *   graphile-migrate hashes and runs the bytes (its header parser fails on CRLF with "there should be
 *   two newlines after the headers section"), and a CR inside a string literal is data, so govdb does
 *   not silently rewrite them.
 */

const BOM = '\uFEFF';

export function hasBom(text: string): boolean {
  return text.startsWith(BOM);
}

export function hasCrlf(text: string): boolean {
  return text.includes('\r\n');
}

/** LF line endings, no leading byte-order mark. Lone CRs (not followed by LF) are kept. */
export function normaliseText(text: string): string {
  return (hasBom(text) ? text.slice(1) : text).replace(/\r\n/g, '\n');
}

export function sha256(text: string): string {
  return 'sha256:' + createHash('sha256').update(text).digest('hex');
}

/** The checksum of a Cypher or function file: sha256 of its LF-normalised text without a BOM. */
export function textChecksum(text: string): string {
  return sha256(normaliseText(text));
}

/**
 * Checksums that versions before LF normalisation stored for the same content saved with CRLF and/or
 * a BOM (they hashed the raw file). A ledger row holding one of them records this very content.
 */
export function legacyTextChecksums(text: string): string[] {
  const lf = normaliseText(text);
  const crlf = lf.replace(/\n/g, '\r\n');
  return [sha256(crlf), sha256(BOM + lf), sha256(BOM + crlf)];
}

/** Refuses a committed SQL migration saved with CRLF line endings or a BOM, naming the file and the fix. */
export function assertSqlMigrationText(file: string, text: string): void {
  const found = [hasCrlf(text) ? 'CRLF line endings' : '', hasBom(text) ? 'a UTF-8 byte-order mark (BOM)' : ''].filter(Boolean);
  if (!found.length) return;
  throw new GovdbError('MIGRATION_FILE_INVALID', `${file} has ${found.join(' and ')}: graphile-migrate hashes and runs the file's bytes, so committed SQL migrations must be LF without a BOM.`, {
    file,
    hint: `Check the file out again (\`rm ${file} && git checkout -- ${file}\`: .gitattributes pins eol=lf) or save it as UTF-8 without BOM with LF line endings (\`sed -i '1s/^\\xEF\\xBB\\xBF//; s/\\r$//' ${file}\`); its Hash header then matches again.`,
  });
}
