import { Command, InvalidArgumentError, Option } from 'commander';

/** The options of `npm run bench -- …` and the rules that refuse combinations a run would silently ignore. */
export interface Options {
  quick: boolean;
  out?: string;
  compare: boolean;
  docs: boolean;
  from?: string;
  concurrencySeconds?: number;
  auditOnly: boolean;
  sessionsOnly: boolean;
  updates: boolean;
  mixed: boolean;
  mixedSeconds?: number;
  growth: boolean;
  growthDiscoveries: number[];
  growthStates: Array<[number, number]>;
  growthKeep: boolean;
  growthKeepPrefix: string;
}

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${v}"`);
  return n;
};
const dbPrefix = (v: string) => {
  if (!/^[a-z_][a-z0-9_]{0,50}$/.test(v)) throw new InvalidArgumentError(`expected a database name prefix (a-z, 0-9, _; at most 51 characters), got "${v}"`);
  return v;
};
const intList = (v: string) => (v === 'none' ? [] : v.split(',').map((x) => positiveInt(x.trim())));
const pairList = (v: string): Array<[number, number]> => (v === 'none' ? [] : v.split(',').map((x) => {
  const [a, b] = x.split(':');
  if (a === undefined || b === undefined) throw new InvalidArgumentError(`expected agents:rows pairs, e.g. 1000000:10000000, got "${x}"`);
  return [positiveInt(a), positiveInt(b)];
}));

/** The sections a run can be limited to; none means the full (reference) run. */
const SECTIONS = [['auditOnly', '--audit-only'], ['sessionsOnly', '--sessions-only'], ['updates', '--updates'], ['mixed', '--mixed'], ['growth', '--growth']] as const;
type Section = (typeof SECTIONS)[number][0];

/**
 * Every problem with the given combination, in the order of --help; empty when it is accepted.
 * `given(key)` says whether the option came from the command line (not from its default).
 */
export function optionProblems(opts: Options, given: (key: keyof Options) => boolean): string[] {
  const problems: string[] = [];
  const sections = SECTIONS.filter(([key]) => opts[key]);
  const section = sections.length === 1 ? sections[0]?.[0] : undefined;
  const flag = (key: Section) => SECTIONS.find(([k]) => k === key)![1];
  if (sections.length > 1) {
    problems.push(`${sections.map(([, f]) => f).join(' and ')} cannot be combined: give at most one section option (${SECTIONS.map(([, f]) => f).join(', ')}), or none for the full run`);
  }
  if (opts.from !== undefined) {
    // --from runs nothing: every option that shapes a run would be ignored
    for (const [key, f] of [...SECTIONS, ['quick', '--quick'], ['out', '--out'], ['concurrencySeconds', '--concurrency-seconds'], ['mixedSeconds', '--mixed-seconds']] as const) {
      if (given(key)) problems.push(`${f} cannot be combined with --from: --from runs nothing, it reads the results file for --docs/--compare`);
    }
    if (!opts.docs && !opts.compare) problems.push('--from needs --docs or --compare: on its own it does nothing');
  } else {
    if (opts.docs && opts.quick) problems.push('--docs needs a full run: a --quick run cannot write docs figures');
    for (const [key, f] of [['docs', '--docs'], ['compare', '--compare']] as const) {
      if (opts[key] && sections.length > 0) problems.push(`${f} needs the full run (no section option) or --from: a section run writes no docs figures and is not compared`);
    }
    if (given('concurrencySeconds') && sections.length > 0 && section !== 'updates') problems.push(`--concurrency-seconds applies only to the full run and --updates, not to ${sections.map(([, s]) => s).join(' and ')}`);
    if (given('mixedSeconds') && sections.length > 0 && section !== 'mixed') problems.push(`--mixed-seconds applies only to the full run and --mixed, not to ${sections.map(([, s]) => s).join(' and ')}`);
    if (given('out') && (section === 'auditOnly' || section === 'sessionsOnly')) problems.push(`--out cannot be combined with ${flag(section)}: it writes no results file`);
  }
  for (const [key, f] of [['growthDiscoveries', '--growth-discoveries'], ['growthStates', '--growth-states'], ['growthKeep', '--growth-keep'], ['growthKeepPrefix', '--growth-keep-prefix']] as const) {
    if (given(key) && !opts.growth) problems.push(`${f} needs --growth: it applies only to the growth section (without --growth the full run would start and ignore it)`);
  }
  if (given('growthKeepPrefix') && opts.growth && !opts.growthKeep) problems.push('--growth-keep-prefix needs --growth-keep: it names the kept databases');
  if (opts.growth && opts.growthDiscoveries.length === 0 && opts.growthStates.length === 0) problems.push('--growth with --growth-discoveries none and --growth-states none measures nothing');
  return problems;
}

export function buildProgram(): Command {
  return new Command('npm run bench --')
    .description(
      'govdb benchmark: every operation beside a floor sampled on the same connection, CPU per update, throughput at 1/4/16 clients beside pgbench.\n' +
      'By default it runs against its own DURABLE PostgreSQL 17 + AGE (bench/pg-durable.sh; fsync, synchronous_commit, full_page_writes on);\n' +
      'GOVDB_BENCH_DATABASE_URL overrides the server, REDIS_URL the Redis. Results go to bench/results/<full|quick>-<date>.json.\n\n' +
      'The reference run (writes the figures of docs/performance.md, then prints the change against the previous committed run):\n' +
      '  npm run bench -- --docs --compare\n\n' +
      'At most one section option (--audit-only, --sessions-only, --updates, --mixed, --growth); an option of a section is refused without it.')
    .option('--quick', 'CI smoke run: small sizes, few samples; figures are not meaningful', false)
    .option('--out <file>', 'write the results JSON here instead of bench/results/')
    .option('--compare', 'print the change of every ratio (op p50 / floor p50) against the previous committed full run (full run or --from only)', false)
    .option('--docs', 'write the generated figures section of docs/performance.md (full run or --from only; refused for --quick or a non-durable server)', false)
    .option('--from <results.json>', 'do not run: use this results file (for --compare and --docs)')
    .option('--concurrency-seconds <n>', 'seconds per concurrency level, full run and --updates (default 10, --quick 1)', positiveInt)
    .option('--audit-only', 'only the audit trail: acknowledged (fsynced) appends beside a raw fdatasync floor, and mirror throughput; writes no results file', false)
    .option('--sessions-only', 'only the cache rows: session lookup (redis and memory mode), the same GET through the server client\'s options, cached metadata reads, each beside the raw Redis GET floor; writes no results file', false)
    .option('--updates', 'only the update path: process_agent_update beside its floor, CPU per update, throughput at 1/4/16 clients beside pgbench; writes bench/results/updates-<date>.json', false)
    .option('--mixed', 'only the mixed MCP workload through the built HTTP server (1/4/16 clients, server RSS, CPU profile of the 16-client level) on 10,000 discoveries; writes bench/results/mixed-<date>.json', false)
    .option('--mixed-seconds <n>', 'seconds per mixed-workload level, full run and --mixed (default 10, --quick 2)', positiveInt)
    .option('--growth', 'only the growth table: search and 2-hop at each --growth-discoveries size, latest-state and history reads at each --growth-states size (fresh databases, generated in bulk; 1M/10M takes tens of minutes); writes bench/results/growth-<date>.json', false)
    .addOption(new Option('--growth-discoveries <list>', 'discovery counts for --growth (none: skip the knowledge rows)')
      .argParser(intList).default([10_000, 100_000, 1_000_000], '10000,100000,1000000'))
    .addOption(new Option('--growth-states <list>', 'agents:state-rows pairs for --growth (none: skip the state rows)')
      .argParser(pairList).default([[10_000, 100_000], [1_000_000, 10_000_000]] as Array<[number, number]>, '10000:100000,1000000:10000000'))
    .option('--growth-keep', 'keep each generated knowledge database (govdb_bench_growth_k<n>) and reuse it in the next --growth-keep run instead of regenerating it (generate on a busy machine, time on a quiet one; drop with `drop database`)', false)
    .addOption(new Option('--growth-keep-prefix <name>', 'name prefix of the kept databases (<prefix><n>): time copies of the kept corpora (`create database <prefix><n> template govdb_bench_growth_k<n>`) with this checkout\'s migrations, leaving the originals as they are')
      .argParser(dbPrefix).default('govdb_bench_growth_k'))
    .showHelpAfterError()
    .action((opts: Options, cmd: Command) => {
      const problems = optionProblems(opts, (key) => { const source = cmd.getOptionValueSource(key); return source !== undefined && source !== 'default'; });
      if (problems.length > 0) cmd.error(`error: ${problems.join('\nerror: ')}`, { code: 'bench.invalidOptions' });
    });
}
