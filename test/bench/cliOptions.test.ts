import { CommanderError } from 'commander';
import { buildProgram, Options } from '../../src/bench/cliOptions';

/** Parses like `npm run bench -- <args>` without running anything: the accepted options, or the refusal's message. */
function parse(args: string[]): Options | string {
  const program = buildProgram().exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  try {
    program.parse(args, { from: 'user' });
    return program.opts<Options>();
  } catch (err) {
    if (err instanceof CommanderError) return err.message;
    throw err;
  }
}

describe('npm run bench -- option validation', () => {
  it.each([
    ['--growth-keep'],
    ['--growth-states', '100:1000'],
    ['--growth-discoveries', '1000'],
    ['--growth-discoveries', 'none'],
    ['--growth-keep-prefix', 'scratch_k'],
  ])('%s without --growth is refused, naming the option', (...args) => {
    expect(parse(args)).toBe(`error: ${args[0]} needs --growth: it applies only to the growth section (without --growth the full run would start and ignore it)`);
  });

  it('growth options are accepted with --growth; --growth-discoveries accepts none like --growth-states', () => {
    expect(parse(['--growth', '--growth-discoveries', 'none', '--growth-states', '100:1000', '--growth-keep'])).toMatchObject({ growth: true, growthDiscoveries: [], growthStates: [[100, 1000]], growthKeep: true });
    expect(parse(['--growth', '--growth-discoveries', '1000,2000', '--growth-states', 'none'])).toMatchObject({ growthDiscoveries: [1000, 2000], growthStates: [] });
    expect(parse(['--growth', '--growth-discoveries', 'none', '--growth-states', 'none'])).toBe('error: --growth with --growth-discoveries none and --growth-states none measures nothing');
  });

  it('--growth-keep-prefix names the kept databases: needs --growth-keep and a database name prefix', () => {
    expect(parse(['--growth', '--growth-keep', '--growth-keep-prefix', 'scratch_k'])).toMatchObject({ growthKeep: true, growthKeepPrefix: 'scratch_k' });
    expect(parse(['--growth', '--growth-keep'])).toMatchObject({ growthKeepPrefix: 'govdb_bench_growth_k' });
    expect(parse(['--growth', '--growth-keep-prefix', 'scratch_k'])).toBe('error: --growth-keep-prefix needs --growth-keep: it names the kept databases');
    expect(parse(['--growth', '--growth-keep', '--growth-keep-prefix', 'Bad-Name'])).toMatch(/expected a database name prefix/);
  });

  it('at most one section option', () => {
    expect(parse(['--audit-only', '--sessions-only', '--growth'])).toBe('error: --audit-only and --sessions-only and --growth cannot be combined: give at most one section option (--audit-only, --sessions-only, --updates, --mixed, --growth), or none for the full run');
    for (const section of ['--audit-only', '--sessions-only', '--updates', '--mixed', '--growth']) expect(parse([section])).toEqual(expect.any(Object));
    expect(parse([])).toMatchObject({ auditOnly: false, sessionsOnly: false, updates: false, mixed: false, growth: false });
  });

  it('--mixed-seconds: the full run and --mixed only', () => {
    expect(parse(['--mixed-seconds', '3', '--updates'])).toBe('error: --mixed-seconds applies only to the full run and --mixed, not to --updates');
    expect(parse(['--mixed', '--mixed-seconds', '3'])).toMatchObject({ mixed: true, mixedSeconds: 3 });
    expect(parse(['--mixed-seconds', '3'])).toMatchObject({ mixedSeconds: 3 });
  });

  it('--concurrency-seconds: the full run and --updates only', () => {
    expect(parse(['--concurrency-seconds', '3', '--growth'])).toBe('error: --concurrency-seconds applies only to the full run and --updates, not to --growth');
    expect(parse(['--updates', '--concurrency-seconds', '3'])).toMatchObject({ updates: true, concurrencySeconds: 3 });
    expect(parse(['--quick', '--concurrency-seconds', '3'])).toMatchObject({ quick: true, concurrencySeconds: 3 });
  });

  it('--docs and --compare: the full run or --from only; --docs never with --quick', () => {
    expect(parse(['--docs', '--mixed'])).toBe('error: --docs needs the full run (no section option) or --from: a section run writes no docs figures and is not compared');
    expect(parse(['--compare', '--audit-only'])).toBe('error: --compare needs the full run (no section option) or --from: a section run writes no docs figures and is not compared');
    expect(parse(['--docs', '--quick'])).toBe('error: --docs needs a full run: a --quick run cannot write docs figures');
    expect(parse(['--docs', '--compare'])).toMatchObject({ docs: true, compare: true });
  });

  it('--from runs nothing: run options are refused beside it, and it needs --docs or --compare', () => {
    expect(parse(['--from', 'r.json', '--docs', '--quick', '--growth'])).toBe([
      'error: --growth cannot be combined with --from: --from runs nothing, it reads the results file for --docs/--compare',
      'error: --quick cannot be combined with --from: --from runs nothing, it reads the results file for --docs/--compare',
    ].join('\n'));
    expect(parse(['--from', 'r.json'])).toBe('error: --from needs --docs or --compare: on its own it does nothing');
    expect(parse(['--from', 'r.json', '--compare'])).toMatchObject({ from: 'r.json', compare: true });
  });

  it('--out with a section that writes no results file is refused', () => {
    expect(parse(['--sessions-only', '--out', 'x.json'])).toBe('error: --out cannot be combined with --sessions-only: it writes no results file');
    expect(parse(['--updates', '--out', 'x.json'])).toMatchObject({ updates: true, out: 'x.json' });
  });

  it('shows the list defaults in the syntax the options accept', () => {
    const help = buildProgram().helpInformation();
    expect(help).toMatch(/\(default:\s+10000,100000,1000000\)/);
    expect(help).toMatch(/\(default:\s+10000:100000,1000000:10000000\)/);
  });
});
