/**
 * The svmsim command line: run, check, simulate, replay, list. Exit codes: 0 nothing violated, 1 a
 * violation, 2 bad input (with file, line and field), 3 a limit stopped the search first, 4 an
 * internal error (svmsim's own bug: EXIT_HELP says how to report it).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ValkeyError } from '../check/index.ts';
import { builtinPolicies } from '../drivers/iommu/intel/policies/index.ts';
import { builtinScenarios, InputError } from '../scenario/load.ts';
import { checkCommand, DOT_MAX_STATES } from './check.ts';
import { resolvePolicy } from './policy.ts';
import { replayCommand } from './replay.ts';
import { runCommand } from './run.ts';
import { simulateCommand } from './simulate.ts';
import { storedInputs, workerCommand } from './valkey.ts';
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
const positive = (name: string) => (v: string) => {
  const n = int(name)(v);
  if (n < 1) throw new InvalidArgumentError(`${name} must be at least 1, got '${v}'`);
  return n;
};
const collect = (v: string, prev: string[] = []) => [...prev, v];

const REPORT_TO = "svmsim's issue tracker (the repository you got svmsim from)";
const EXIT_HELP = `
Exit codes: 0 nothing violated, 1 a violation, 2 bad input (the message names the file, line,
column and field; with --json, { "error": { "code", "message", "file", "line", "column" } } on
stdout), 3 a limit or Ctrl-C stopped the search first, 4 an internal error: a bug in svmsim, never
your input. Please report a 4 with the command line, the scenario and policy files and the whole
message (it includes a stack trace) to ${REPORT_TO}.`;

/**
 * An output file (--report, --trace-out) that cannot be written, found before a search that may
 * take hours instead of after it.
 */
function checkOutput(option: string, file: string | undefined): void {
  if (file === undefined) return;
  const dir = dirname(resolve(file));
  const fail = (msg: string): never => {
    throw new InputError(file, 0, 0, option, msg);
  };
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    fail(`cannot write it: the directory ${dir} does not exist`);
  }
  if (!isDir) fail(`cannot write it: ${dir} is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    fail(`cannot write it: the directory ${dir} is not writable`);
  }
  try {
    if (statSync(file).isDirectory()) fail('cannot write it: it is a directory');
  } catch (e) {
    if (e instanceof InputError) throw e;
  }
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command('svmsim')
    .description(
      'An executable, exhaustively checkable model of Linux shared virtual memory (Intel VT-d SVM)',
    )
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addHelpText('after', EXIT_HELP);

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
      checkOutput('--trace-out', o.traceOut);
      checkOutput('--report', o.report);
      code = await runCommand(scenario, {
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
      positive('--max-states'),
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
        .argParser(positive('--swarm'))
        .conflicts(['bfs', 'all']),
    )
    .addOption(
      new Option(
        '--workers <n>',
        'breadth-first search by n threads sharing one hash-compacted table (storing what the sequential BFS stores)',
      )
        .argParser(positive('--workers'))
        .conflicts(['dfs', 'swarm', 'all']),
    )
    .addOption(
      new Option(
        '--valkey <urls>',
        'one breadth-first search by worker processes whose visited set and frontier live in a Valkey/Redis server or cluster (comma-separated URLs; docs/distributed.md)',
      ).conflicts(['dfs', 'swarm', 'all', 'workers', 'hashCompaction', 'liveness']),
    )
    .option('--search <name>', "with --valkey: the search's name in the store", 'default')
    .option(
      '--resume',
      'with --valkey: go on with the stopped search stored under --search, from its last completed level',
    )
    .option(
      '--local-workers <n>',
      'with --valkey: worker processes to start on this machine (0: only those started with svmsim worker)',
      int('--local-workers'),
      1,
    )
    .option('--json', 'print { results: [...] } as JSON')
    .option('-q, --quiet', 'no progress on stderr')
    .option('--dump-dot <file.dot>', 'write the reachable state graph as Graphviz DOT (small configurations)')
    .option(
      '--dot-max-states <n>',
      `states drawn by --dump-dot at most (default ${DOT_MAX_STATES})`,
      int('--dot-max-states'),
    )
    .option('--trace-out <file>', 'write the first counterexample as an ITF trace file (.itf.json)')
    .option(
      '--report <file.html>',
      'write a self-contained HTML report: the first counterexample and the table',
    )
    .action(async (scenarios: string[], o) => {
      checkOutput('--trace-out', o.traceOut);
      checkOutput('--report', o.report);
      // More threads than cores only take turns on them, each holding its share of the table.
      const cores = availableParallelism();
      if (o.workers > cores) {
        process.stderr.write(
          `svmsim: --workers ${o.workers}: this machine has ${cores} cores; using ${cores}\n`,
        );
        o.workers = cores;
      }
      const urls: string[] | undefined = o.valkey?.split(',').filter((u: string) => u !== '');
      if ((o.resume || o.localWorkers !== 1 || o.search !== 'default') && urls === undefined) {
        throw new ValkeyError('--resume, --search and --local-workers go with --valkey', 2);
      }
      if (o.resume && urls && scenarios.length === 0 && o.policy === undefined) {
        // Resumed by name alone: the scenario and policy the search recorded.
        const stored = await storedInputs({ urls, search: o.search });
        if (stored === null)
          throw new ValkeyError(`--resume: no search named '${o.search}' is stored there`, 2);
        scenarios.push(stored.source);
        o.policy = [stored.policy];
      }
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
        ...(urls
          ? { valkey: { urls, search: o.search, resume: o.resume, localWorkers: o.localWorkers } }
          : {}),
        policyArgs: names,
        json: o.json,
        quiet: o.quiet,
        dumpDot: o.dumpDot,
        dotMaxStates: o.dotMaxStates,
        traceOut: o.traceOut,
      });
    });

  program
    .command('simulate')
    .description(
      `random executions, for configurations check cannot finish; with no scenario, ${DEFAULT_SCENARIO} under every built-in policy`,
    )
    .argument('[scenario...]', 'built-in scenario names or YAML files')
    .option(
      '-p, --policy <policy>',
      'policy to simulate (repeatable); default: every built-in policy',
      collect,
    )
    .option('-s, --seed <n>', 'the same seed gives the same samples', int('--seed'), 0)
    .option('--samples <k>', 'executions to sample', int('--samples'), 1000)
    .option('--max-steps <m>', 'moves in each execution at most', int('--max-steps'), 200)
    .option('--bias', 'draw rarely moving actors more often (devices, the IRQ thread) than busy ones')
    .option(
      '--max-seconds <s>',
      'stop sampling after this long (exit 3 when samples are left)',
      num('--max-seconds'),
    )
    .option('--no-por', 'no partial-order reduction in the search that shortens a trace')
    .option('--no-symmetry', 'no symmetry reduction in the search that shortens a trace')
    .option('--json', 'print { results: [...] } as JSON')
    .option('-q, --quiet', 'no progress on stderr')
    .option('--trace-out <file>', 'write the first counterexample as an ITF trace file (.itf.json)')
    .option('--report <file.html>', 'write a self-contained HTML report of the first counterexample')
    .action(async (scenarios: string[], o) => {
      const names: string[] = o.policy ?? builtinPolicies.map((p) => p.name);
      const policies = [];
      for (const n of names) policies.push(await resolvePolicy(n));
      code = await simulateCommand(scenarios.length ? scenarios : [DEFAULT_SCENARIO], {
        policies,
        policyArgs: names,
        seed: o.seed,
        samples: o.samples,
        maxSteps: o.maxSteps,
        bias: o.bias,
        maxSeconds: o.maxSeconds,
        por: o.por,
        symmetry: o.symmetry,
        json: o.json,
        quiet: o.quiet,
        traceOut: o.traceOut,
        report: o.report,
      });
    });

  program
    .command('worker')
    .description(
      'join a search started with svmsim check --valkey, from any machine, and work on it to its end',
    )
    .requiredOption(
      '--valkey <urls>',
      'the store the search lives in (comma-separated URLs of a server or cluster)',
    )
    .option('--search <name>', "the search's name in the store", 'default')
    .option('--wait-seconds <s>', 'how long to wait for the search to start', num('--wait-seconds'), 60)
    .option('--quiet', 'say nothing on stderr')
    .action(async (o) => {
      code = await workerCommand({
        urls: o.valkey.split(',').filter((u: string) => u !== ''),
        search: o.search,
        waitSeconds: o.waitSeconds,
        quiet: o.quiet,
      });
    });

  program
    .command('replay')
    .description('re-execute a trace file and check that every step still happens as recorded')
    .argument('<file>', 'a trace file written with --trace-out')
    .option(
      '-p, --policy <file>',
      'the policy module a trace of your own policy was written under (checked against its recorded sha256; replay never loads a module the trace names)',
    )
    .option('--json', 'print one JSON object')
    .option('--dump-dot <file.dot>', 'write the trace alone as Graphviz DOT')
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

  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`svmsim: ${e.toString()}\n`);
      if (json) printError(2, e.field ? `${e.field}: ${e.message}` : e.message, e.file, e.line, e.col);
      return 2;
    }
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return 0;
      if (json) printError(2, e.message.replace(/^error: /, ''), null, 0, 0);
      return 2;
    }
    if (e instanceof ValkeyError) {
      process.stderr.write(`svmsim: ${e.message}\n`);
      if (json) printError(e.exitCode, e.message, null, 0, 0);
      return e.exitCode;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    process.stderr.write(
      `svmsim: internal error (a bug in svmsim, not in your input; please report it with the command line and the files to ${REPORT_TO}):\n${err.stack ?? err.message}\n`,
    );
    if (json) printError(4, `internal error: ${err.message}`, null, 0, 0);
    return 4;
  }
}

/** The one JSON shape of every error (exit 2 and 4), on stdout where --json puts results. */
function printError(code: number, message: string, file: string | null, line: number, column: number): void {
  const error = { code, message, file, line: line || null, column: column || null };
  process.stdout.write(`${JSON.stringify({ error }, null, 1)}\n`);
}
