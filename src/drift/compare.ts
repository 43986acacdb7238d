import { compareText, Json, ModelEntry, OBJECT_KINDS, ObjectKind, SchemaModel, stableStringify } from './model';

export type ChangeType = 'missing' | 'extra' | 'changed';

/** One attribute that differs; `before` is the expected value, `after` the actual one (null = absent). */
export interface FieldChange {
  field: string;
  before: Json;
  after: Json;
}

export interface Difference {
  kind: ObjectKind;
  name: string;
  /** missing: expected but absent; extra: present but not expected; changed: both, attributes differ */
  change: ChangeType;
  before?: ModelEntry['attrs'];
  after?: ModelEntry['attrs'];
  fields?: FieldChange[];
}

export interface DifferenceGroup {
  /** the object the differences belong to, e.g. "table core.agents" */
  object: string;
  differences: Difference[];
}

export interface NotComparedKind {
  kind: string;
  expected: string[];
  actual: string[];
}

export interface Comparison {
  groups: DifferenceGroup[];
  summary: Record<ChangeType, number>;
  notCompared: NotComparedKind[];
}

/** Compares two models object by object; the result is ordered (groups by name, kinds in model order). */
export function compareModels(expected: SchemaModel, actual: SchemaModel): Comparison {
  const byGroup = new Map<string, Difference[]>();
  const summary: Record<ChangeType, number> = { missing: 0, extra: 0, changed: 0 };
  const add = (group: string, diff: Difference) => {
    const list = byGroup.get(group) ?? [];
    list.push(diff);
    byGroup.set(group, list);
    summary[diff.change]++;
  };
  for (const kind of OBJECT_KINDS) {
    const exp = expected.objects[kind] ?? {};
    const act = actual.objects[kind] ?? {};
    const names = [...new Set([...Object.keys(exp), ...Object.keys(act)])].sort(compareText);
    for (const name of names) {
      const e = exp[name];
      const a = act[name];
      if (e && !a) add(e.group, { kind, name, change: 'missing', before: e.attrs });
      else if (!e && a) add(a.group, { kind, name, change: 'extra', after: a.attrs });
      else if (e && a) {
        const fields = fieldChanges(e.attrs, a.attrs);
        if (fields.length) add(e.group, { kind, name, change: 'changed', before: e.attrs, after: a.attrs, fields });
      }
    }
  }
  const kindOrder = (k: ObjectKind) => OBJECT_KINDS.indexOf(k);
  const groups = [...byGroup.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([object, differences]) => ({
      object,
      differences: differences.sort((x, y) => kindOrder(x.kind) - kindOrder(y.kind) || compareText(x.name, y.name)),
    }));
  return { groups, summary, notCompared: notComparedKinds(expected, actual) };
}

function fieldChanges(before: ModelEntry['attrs'], after: ModelEntry['attrs']): FieldChange[] {
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(compareText);
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const b = before[field] ?? null;
    const a = after[field] ?? null;
    if (stableStringify(b) !== stableStringify(a)) changes.push({ field, before: b, after: a });
  }
  return changes;
}

function notComparedKinds(expected: SchemaModel, actual: SchemaModel): NotComparedKind[] {
  const kinds = [...new Set([...Object.keys(expected.notCompared), ...Object.keys(actual.notCompared)])].sort(compareText);
  return kinds
    .map((kind) => ({ kind, expected: expected.notCompared[kind] ?? [], actual: actual.notCompared[kind] ?? [] }))
    .filter((k) => k.expected.length || k.actual.length);
}
