import { createReadStream } from 'fs';
import { Item, NormalizeContext, Pass } from '../types';
import { isObject } from '../normalize/common';
import { normalizeAuditEvent, normalizeToolUsage } from '../normalize/audit';
import { ResumePoint, Source } from './source';

const MAX_RAW_LINE = 10_000;

/** Redacts credential-looking "key": "value" pairs from text that could not be parsed as JSON. */
export function scrubText(line: string): string {
  return line.replace(/("?(?:api_?key|apikey|secret|password|token|session_?key)"?\s*[:=]\s*)("[^"]*"?|[^\s,}]+)/gi, '$1"[redacted]"');
}

/** A line as text: without its "\r", and without the UTF-8 byte order mark at the start of the file. */
function decodeLine(line: Buffer, startOffset: number): string {
  const text = line.toString('utf8').replace(/\r$/, '');
  return startOffset === 0 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * One line at a time from a byte offset, with the exact byte offset after each line, so a resumed
 * import seeks straight to the first uncommitted line. Memory holds one chunk and one line: flat for
 * any file size. (node:readline cannot report byte offsets: it drops "\r\n" and "\n" alike.)
 */
export async function* readLines(file: string, startOffset: number): AsyncGenerator<{ text: string; endOffset: number }> {
  let offset = startOffset;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of createReadStream(file, { start: startOffset, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let from = 0;
    for (let nl = chunk.indexOf(10, from); nl !== -1; nl = chunk.indexOf(10, from)) {
      const part = chunk.subarray(from, nl);
      const line = pendingBytes ? Buffer.concat([...pending, part]) : part;
      offset += pendingBytes + part.length + 1;
      pending = [];
      pendingBytes = 0;
      yield { text: decodeLine(line, offset - line.length - 1), endOffset: offset };
      from = nl + 1;
    }
    if (from < chunk.length) {
      pending.push(chunk.subarray(from));
      pendingBytes += chunk.length - from;
    }
  }
  if (pendingBytes) {
    offset += pendingBytes;
    const line = Buffer.concat(pending);
    yield { text: decodeLine(line, offset - line.length), endOffset: offset };
  }
}

/** audit_log.jsonl and tool_usage.jsonl: each line is classified by its own keys. */
export class JsonlSource implements Source {
  readonly passes: readonly Pass[] = ['audit'];
  private bytesDone = 0;

  /** `kind`: what the file was detected as; a line that cannot be parsed is counted under its entity */
  constructor(private readonly file: string, private readonly size: number, private readonly kind: 'audit_jsonl' | 'tool_usage_jsonl' = 'audit_jsonl') {}

  progress(): number | undefined {
    return this.size ? this.bytesDone / this.size : undefined;
  }

  async *items(pass: Pass, ctx: NormalizeContext, from: ResumePoint): AsyncIterable<Item> {
    if (pass !== 'audit') return;
    let index = from.index;
    const startOffset = from.offset ?? 0;
    let line = from.line ?? 0;
    let lineStart = startOffset;
    for await (const { text, endOffset } of readLines(this.file, startOffset)) {
      line++;
      this.bytesDone = endOffset;
      const locator = { line, byte_offset: lineStart };
      lineStart = endOffset;
      if (text.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        // a broken line belongs to the entity its text names, else to the file's kind
        const entity = /"tool_name"\s*:/.test(text) ? 'tool_usage' : /"event_type"\s*:/.test(text) ? 'audit_events' : this.kind === 'tool_usage_jsonl' ? 'tool_usage' : 'audit_events';
        yield { index: index++, resumeOffset: endOffset, resumeLine: line, entity, locator, reject: { reason: `line is not valid JSON (${(err as Error).message})`, raw: scrubText(text.slice(0, MAX_RAW_LINE)) } };
        continue;
      }
      const isTool = isObject(parsed) && 'tool_name' in parsed;
      const isEvent = isObject(parsed) && 'event_type' in parsed;
      if (!isTool && !isEvent) {
        yield { index: index++, resumeOffset: endOffset, resumeLine: line, entity: 'audit_events', locator, reject: { reason: 'line is neither an audit event (event_type) nor a tool call (tool_name)', raw: parsed } };
        continue;
      }
      const result = isTool ? normalizeToolUsage(parsed, ctx) : normalizeAuditEvent(parsed, ctx);
      const entity = isTool ? 'tool_usage' : 'audit_events';
      yield result.ok
        ? { index: index++, resumeOffset: endOffset, resumeLine: line, entity, locator, record: result.value as unknown as Record<string, unknown>, raw: parsed }
        : { index: index++, resumeOffset: endOffset, resumeLine: line, entity, locator, reject: { reason: result.reason, raw: parsed } };
    }
  }
}
