/**
 * The svmsim command line: run, check, replay, list. Exit codes: 0 nothing violated, 1 a
 * violation, 2 bad input (with file, line and field), 3 a limit stopped the search first.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { builtinPolicies } from '../drivers/iommu/intel/policies/index.ts';
import { builtinScenarios, InputError } from '../scenario/load.ts';
import { checkCommand } from './check.ts';
import { resolvePolicy } from './policy.ts';
import { replayCommand } from './replay.ts';
import { runCommand } from './run.ts';
import { VERSION } from './version.ts';

/** The scenario `svmsim check` runs with none named: the seed model with device DMA. */
export const DEFAULT_SCENARIO = 'seed-accel-dma';

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`${name} must be a whole number, got '${v}'`);
  return n;
};
const num = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`${name} must be a positive number, got '${v}'`);
  return n;
};
const collect = (v: string, prev: string[] = []) => [...prev, v];

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command('svmsim')
    .description(
      'An executable, exhaustively checkable model of Linux shared virtual memory (Intel VT-d SVM)',
    )
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('run')
    .description('run one schedule of a scenario and print it step by step')
    .argument('<scenario>', 'a built-in scenario name or a YAML file')
    .option('-p, --policy <policy>', 'intel-svm policy: a built-in name or a .ts/.js module', 'e57e58bd')
    .option(
      '-s, --seed <n>',
      'seeded random interleaving instead of the default round-robin order',
      int('--seed'),
    )
    .option('--json', 'print one JSON object')
    .option('--trace-out <file>', 'write the run as an ITF trace file (.itf.json; see svmsim replay)')
    .option('--report <file.html>', 'write a self-contained HTML report of the run')
    .addOption(
      new Option(
        '--speculative-caching',
        'assume the IOMMU may load any present PASID entry into its cache at any time (docs/fidelity.md)',
      ),
    )
    .addOption(new Option('--no-speculative-caching', "the scenario's speculative_caching turned off"))
    .action(async (scenario: string, o) => {
      code = runCommand(scenario, {
        speculativeCaching: o.speculativeCaching,
        policy: await resolvePolicy(o.policy),
        policyArg: o.policy,
        seed: o.seed,
        json: o.json,
        traceOut: o.traceOut,
        report: o.report,
      });
    });

  program
    .command('check')
    .description(
      `search every interleaving; with no scenario, ${DEFAULT_SCENARIO} under every built-in policy`,
    )
    .argument('[scenario...]', 'built-in scenario names or YAML files')
    .option('-p, --policy <policy>', 'policy to check (repeatable); default: every built-in policy', collect)
    .addOption(
      new Option(
        '--speculative-caching',
        'assume the IOMMU may load any present PASID entry into its cache at any time (docs/fidelity.md)',
      ),
    )
    .addOption(new Option('--no-speculative-caching', "the scenario's speculative_caching turned off"))
    .addOption(new Option('--bfs', 'breadth-first search (the default): shortest traces').conflicts('dfs'))
    .option('--dfs', 'depth-first search, then a bounded BFS to shorten the trace')
    .option(
      '--max-states <n>',
      'stop (incomplete, exit 3) after storing this many states',
      int('--max-states'),
    )
    .option('--max-seconds <s>', 'stop (incomplete, exit 3) after this long', num('--max-seconds'))
    .option('--all', 'go on past the first violation: one shortest trace per kind of violation')
    .addOption(
      new Option(
        '--liveness',
        'also look for livelocks: a cycle where a kernel actor waits for ever while the system keeps moving (breadth-first, reductions off)',
      ).conflicts(['dfs', 'swarm', 'workers']),
    )
    .option(
      '--hash-compaction',
      'store a 64-bit hash per state instead of the state (prints the omission probability)',
    )
    .option('--no-por', 'turn partial-order reduction off')
    .option('--no-symmetry', 'turn symmetry reduction off')
    .addOption(
      new Option(
        '--swarm <n>',
        'run n diversified depth-first searches in worker threads; the first violation wins',
      )
        .argParser(int('--swarm'))
        .conflicts(['bfs', 'all']),
    )
    .addOption(
      new Option(
        '--workers <n>',
        'breadth-first search by n threads sharing one hash-compacted table (storing what the sequential BFS stores)',
      )
        .argParser((v) => {
          const n = int('--workers')(v);
          if (n < 1) throw new InvalidArgumentError(`--workers must be at least 1, got '${v}'`);
          return n;
        })
        .conflicts(['dfs', 'swarm', 'all']),
    )
    .option('--json', 'print { results: [...] } as JSON')
    .option('--trace-out <file>', 'write the first counterexample as an ITF trace file (.itf.json)')
    .option(
      '--report <file.html>',
      'write a self-contained HTML report: the first counterexample and the table',
    )
    .action(async (scenarios: string[], o) => {
      const names: string[] = o.policy ?? builtinPolicies.map((p) => p.name);
      const policies = [];
      for (const n of names) policies.push(await resolvePolicy(n));
      code = await checkCommand(scenarios.length ? scenarios : [DEFAULT_SCENARIO], {
        speculativeCaching: o.speculativeCaching,
        policies,
        order: o.dfs ? 'dfs' : o.bfs ? 'bfs' : undefined,
        maxStates: o.maxStates,
        maxSeconds: o.maxSeconds,
        hashCompaction: o.hashCompaction,
        all: o.all,
        liveness: o.liveness,
        report: o.report,
        por: o.por,
        symmetry: o.symmetry,
        swarm: o.swarm,
        workers: o.workers,
        policyArgs: names,
        json: o.json,
        traceOut: o.traceOut,
      });
    });

  program
    .command('replay')
    .description('re-execute a trace file and check that every step still happens as recorded')
    .argument('<file>', 'a trace file written with --trace-out')
    .option('--json', 'print one JSON object')
    .action(async (file: string, o) => {
      code = await replayCommand(file, o);
    });

  program
    .command('list')
    .description('list the built-in scenarios and policies')
    .action(() => {
      const lines = ['scenarios:', ...builtinScenarios().map((s) => `  ${s}`), 'policies:'];
      for (const p of builtinPolicies)
        lines.push(`  ${p.name}${p.aliases?.length ? ` (${p.aliases.join(', ')})` : ''}: ${p.summary}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`svmsim: ${e.toString()}\n`);
      return 2;
    }
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    process.stderr.write(`svmsim: internal error: ${(e as Error).stack ?? e}\n`);
    return 4;
  }
}
