import { Entity, Item, Locator, NormalizeContext, Normalized, Pass } from '../types';

export interface ResumePoint {
  index: number;
  offset?: number;
  line?: number;
}

/** A detected legacy file: which passes it takes part in and the items it yields in each. */
export interface Source {
  passes: readonly Pass[];
  items(pass: Pass, ctx: NormalizeContext, from: ResumePoint): AsyncIterable<Item>;
  /** progress of the current pass in 0..1, if the source can tell */
  progress?(): number | undefined;
}

/** Builds the items of a pass with a running index; `from.index` items are skipped (already committed). */
export class ItemBuilder {
  private next = 0;
  constructor(private readonly from: ResumePoint) {}

  /** true if the item about to be built was committed before (resume) */
  get skipping(): boolean {
    return this.next < this.from.index;
  }

  of<T>(entity: Entity, locator: Locator, result: Normalized<T>, raw: unknown, resumeOffset?: number): Item {
    const index = this.next++;
    return result.ok
      ? { index, entity, locator, record: result.value as Record<string, unknown>, raw, resumeOffset }
      : { index, entity, locator, reject: { reason: result.reason, raw }, resumeOffset };
  }

  reject(entity: Entity, locator: Locator, reason: string, raw: unknown, resumeOffset?: number): Item {
    return { index: this.next++, entity, locator, reject: { reason, raw }, resumeOffset };
  }

  /** advances past an item without yielding it (used while skipping on resume) */
  skip(): void {
    this.next++;
  }
}
