import { GovdbError } from '../../errors';
import { MigrationTimeouts, parseDuration } from './timeouts';

/**
 * A versioned Cypher migration file (cypher/NNNN_name.cypher). Directive lines manage the graph
 * catalog, which Cypher itself cannot do; every other statement is Cypher ending with ";".
 *
 *   //! graph NAME                  the graph the file works on (required, first)
 *   //! create graph                create_graph(NAME)
 *   //! create vlabel L             create_vlabel(NAME, L)
 *   //! create elabel E             create_elabel(NAME, E) + btree indexes on start_id and end_id
 *   //! create index L(prop)        btree on properties.prop and GIN on properties of label L
 *   //! create graphid index L      btree on the graph id column of label L (AGE checks edge ends by it)
 *   //! drop label L                drop_label(NAME, L)
 *   //! lock_timeout 5s             this file's lock_timeout (default: see timeouts.ts)
 *   //! statement_timeout 30min     this file's statement_timeout
 */
export type CypherStep =
  | { kind: 'create_graph' }
  | { kind: 'create_vlabel'; label: string }
  | { kind: 'create_elabel'; label: string }
  | { kind: 'create_index'; label: string; property: string }
  | { kind: 'create_graphid_index'; label: string }
  | { kind: 'drop_label'; label: string }
  | { kind: 'cypher'; text: string; line: number };

export interface CypherScript {
  graph: string;
  steps: CypherStep[];
  timeouts: Partial<MigrationTimeouts>;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{2,62}$/;
const LABEL = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function parseCypherScript(file: string, text: string): CypherScript {
  let graph: string | undefined;
  const steps: CypherStep[] = [];
  const problems: string[] = [];
  const timeouts: Partial<MigrationTimeouts> = {};
  let buffer: string[] = [];
  let bufferLine = 0;
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.trim();
    const directive = /^\/\/!\s*(.*)$/.exec(line);
    if (directive) {
      const words = (directive[1] ?? '').trim();
      let m: RegExpExecArray | null;
      if ((m = /^graph\s+(\S+)$/.exec(words))) {
        if (!IDENT.test(m[1]!)) problems.push(`line ${lineNo}: graph name ${JSON.stringify(m[1])} must be 3-63 letters, digits or _`);
        graph = m[1];
      } else if (words === 'create graph') steps.push({ kind: 'create_graph' });
      else if ((m = /^create (vlabel|elabel)\s+(\S+)$/.exec(words))) {
        if (!LABEL.test(m[2]!)) problems.push(`line ${lineNo}: label ${JSON.stringify(m[2])} is not a valid identifier`);
        steps.push({ kind: m[1] === 'vlabel' ? 'create_vlabel' : 'create_elabel', label: m[2]! });
      } else if ((m = /^create index\s+([A-Za-z_][A-Za-z0-9_]*)\(([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(words))) {
        steps.push({ kind: 'create_index', label: m[1]!, property: m[2]! });
      } else if ((m = /^create graphid index\s+([A-Za-z_][A-Za-z0-9_]*)$/.exec(words))) {
        steps.push({ kind: 'create_graphid_index', label: m[1]! });
      } else if ((m = /^(lock_timeout|statement_timeout)\s+(.+)$/.exec(words))) {
        try {
          timeouts[m[1] === 'lock_timeout' ? 'lockTimeout' : 'statementTimeout'] = parseDuration(m[2]!, `line ${lineNo} ${m[1]}`);
        } catch (err) {
          problems.push((err as Error).message);
        }
      } else if ((m = /^drop label\s+(\S+)$/.exec(words))) {
        steps.push({ kind: 'drop_label', label: m[1]! });
      } else {
        problems.push(`line ${lineNo}: unknown directive ${JSON.stringify(line)} (expected graph, create graph, create vlabel, create elabel, create index, create graphid index, drop label, lock_timeout, statement_timeout)`);
      }
      return;
    }
    if (line === '' || line.startsWith('//')) return;
    if (buffer.length === 0) bufferLine = lineNo;
    buffer.push(raw);
    if (line.endsWith(';')) {
      const statement = buffer.join('\n').trim().replace(/;$/, '').trim();
      if (statement.includes('$cy$')) problems.push(`line ${bufferLine}: a statement must not contain the text $cy$`);
      steps.push({ kind: 'cypher', text: statement, line: bufferLine });
      buffer = [];
    }
  });
  if (buffer.length) problems.push(`line ${bufferLine}: statement does not end with ";"`);
  if (!graph) problems.push('missing "//! graph NAME" directive');
  if (problems.length) {
    throw new GovdbError('MIGRATION_FILE_INVALID', `Invalid Cypher migration ${file}:\n  - ${problems.join('\n  - ')}`);
  }
  return { graph: graph!, steps, timeouts };
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Renders a step as SQL statements; graph and label names were validated by the parser. */
export function renderStep(graph: string, step: CypherStep): string[] {
  const g = `'${graph}'`;
  switch (step.kind) {
    case 'create_graph':
      return [`select ag_catalog.create_graph(${g})`];
    case 'create_vlabel':
      return [`select ag_catalog.create_vlabel(${g}, '${step.label}')`];
    case 'create_elabel': {
      const table = `${quoteIdent(graph)}.${quoteIdent(step.label)}`;
      return [
        `select ag_catalog.create_elabel(${g}, '${step.label}')`,
        `create index ${quoteIdent(`${step.label.toLowerCase()}_start_id_idx`)} on ${table} (start_id)`,
        `create index ${quoteIdent(`${step.label.toLowerCase()}_end_id_idx`)} on ${table} (end_id)`,
      ];
    }
    case 'create_index': {
      const table = `${quoteIdent(graph)}.${quoteIdent(step.label)}`;
      const base = `${step.label.toLowerCase()}_${step.property.toLowerCase()}`;
      return [
        `create index ${quoteIdent(`${base}_idx`)} on ${table} using btree (ag_catalog.agtype_access_operator(variadic array[properties, '"${step.property}"'::ag_catalog.agtype]))`,
        `create index if not exists ${quoteIdent(`${step.label.toLowerCase()}_properties_gin_idx`)} on ${table} using gin (properties)`,
      ];
    }
    case 'create_graphid_index':
      return [`create index ${quoteIdent(`${step.label.toLowerCase()}_graphid_idx`)} on ${quoteIdent(graph)}.${quoteIdent(step.label)} (id)`];
    case 'drop_label':
      return [`select ag_catalog.drop_label(${g}, '${step.label}')`];
    case 'cypher':
      return [`select * from ag_catalog.cypher(${g}, $cy$${step.text}$cy$) as (result ag_catalog.agtype)`];
  }
}
