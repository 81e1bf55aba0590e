/**
 * The parallel search (src/check/threads/parallel.ts, `svmsim check --workers N`) against the sequential BFS:
 *
 *   node --import tsx bench/workers.ts [--runs 3]
 *
 * On (a) a classic model of a few million states, (b) svmsim's SVM model on the domain table's
 * P2 D1 F1 MMAP=3 under the fixed policy, unreduced, (c) the same with symmetry reduction (its two
 * processes are interchangeable) and (d) P3 D1 F1 MMAP=7 with symmetry reduction, it measures the
 * sequential BFS with hash compaction, no partial-order reduction and the row's symmetry reduction
 * (explore with order 'bfs', hashCompaction), which is what the parallel search computes, then the
 * parallel search with 1 and with 2 workers. Runs alternate (sequential, 1, 2, sequential, ...), each
 * in a child process of its own, and the table gives medians.
 *
 * The machine may be shared. So each round also runs two sequential searches at once, in two
 * processes: `machineParallelism`, 2 x (one alone) / (two at once), is how many cores the machine gave
 * at the time (2 on an idle two-core machine), and bounds what 2 workers can gain.
 *
 * Times: `seconds` is the whole call, worker start-up included (each worker loads tsx and the model:
 * about half a second for a classic model, more for the SVM system); `search` leaves the start-up
 * out, to show what the threads do once running. States per second are over `search`.
 *
 * Writes bench/workers-results.json. Not part of `npm run bench`.
 */

import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildModel, explore, type ModelSource, type SearchResult } from '../src/check/index.ts';
import { type SvmConfig, scenarioYaml } from './svm-configs.ts';

interface Bench {
  name: string;
  source: ModelSource;
  /** Symmetry reduction in every engine (the model must canonicalize). */
  symmetry: boolean;
}

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const svm = (config: SvmConfig): ModelSource => ({
  module: here('../src/cli/factory.ts'),
  exportName: 'buildSystem',
  args: [scenarioYaml(config), 'bench.yaml', 'e57e58bd'],
});
const benches: Bench[] = [
  {
    name: 'dining N=10 ordered',
    source: { module: here('../src/check/examples/dining.ts'), exportName: 'dining', args: [10, 'ordered'] },
    symmetry: false,
  },
  { name: 'svm P2 D1 F1 MMAP=3 e57e58bd', source: svm({ P: 2, D: 1, F: 1, MMAP: 3 }), symmetry: false },
  {
    name: 'svm P2 D1 F1 MMAP=3 e57e58bd, symmetry',
    source: svm({ P: 2, D: 1, F: 1, MMAP: 3 }),
    symmetry: true,
  },
  {
    name: 'svm P3 D1 F1 MMAP=7 e57e58bd, symmetry',
    source: svm({ P: 3, D: 1, F: 1, MMAP: 7 }),
    symmetry: true,
  },
];

type Engine = 'sequential' | 'workers 1' | 'workers 2';
const engines: Engine[] = ['sequential', 'workers 1', 'workers 2'];

interface Run {
  verdict: string;
  states: number;
  transitions: number;
  maxDepth: number;
  seconds: number;
  searchSeconds: number;
  stateWords: number;
  peakMB: number;
  /** CPU time of the whole process, every thread: the work done, whatever else the machine runs. */
  cpuSeconds: number;
}

/** One measurement, in this (child) process. */
async function measure(bench: Bench, engine: Engine): Promise<Run> {
  const { source, symmetry } = bench;
  const cpu = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const run = (r: SearchResult, searchSeconds: number, stateWords: number): Run => ({
    verdict: r.verdict,
    states: r.stats.states,
    transitions: r.stats.transitions,
    maxDepth: r.stats.maxDepth,
    seconds: r.stats.seconds,
    searchSeconds,
    stateWords,
    peakMB: process.resourceUsage().maxRSS / 1024,
    cpuSeconds: cpu(),
  });
  if (engine === 'sequential') {
    const model = await buildModel(source);
    const r = await explore(model, { order: 'bfs', hashCompaction: true, por: false, symmetry });
    return run(r, r.stats.seconds, model.stateWords);
  }
  // The main thread's instance, which confirms the trace the workers report.
  const workers = engine === 'workers 1' ? 1 : 2;
  const r = await explore(await buildModel(source), { workers, symmetry, source });
  const startup = r.engine.kind === 'workers' ? r.engine.startupSeconds : 0;
  return run(r, r.stats.seconds - startup, 0);
}

async function runChild(bench: Bench, engine: Engine): Promise<Run> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', here('./workers.ts'), '--one', JSON.stringify({ bench, engine })],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Run;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--one') {
    const { bench, engine } = JSON.parse(args[1]) as { bench: Bench; engine: Engine };
    process.stdout.write(`${JSON.stringify(await measure(bench, engine))}\n`);
    return;
  }
  const runs = args[0] === '--runs' ? Number(args[1]) : 3;
  const loadStart = loadavg()[0];
  const rows = [];
  for (const bench of benches) {
    const seen: Record<Engine, Run[]> = { sequential: [], 'workers 1': [], 'workers 2': [] };
    /**
     * The control: two sequential searches at once, in two processes. On a machine with two free
     * cores each takes as long as one alone; `machineParallelism` (2 x alone / together) says how many
     * cores the machine actually gave at the time, which bounds what 2 workers can gain.
     */
    const pairs: number[] = [];
    for (let k = 0; k < runs; k++) {
      for (const engine of engines) {
        const r = await runChild(bench, engine);
        seen[engine].push(r);
        process.stderr.write(
          `${bench.name}  ${engine}  run ${k + 1}: ${r.verdict} ${r.states} states, ${r.seconds.toFixed(2)} s ` +
            `(search ${r.searchSeconds.toFixed(2)} s, cpu ${r.cpuSeconds.toFixed(2)} s), load ${loadavg()[0].toFixed(2)}\n`,
        );
      }
      const pair = await Promise.all([runChild(bench, 'sequential'), runChild(bench, 'sequential')]);
      pairs.push(Math.max(...pair.map((r) => r.seconds)));
      process.stderr.write(
        `${bench.name}  two sequential at once  run ${k + 1}: ${pairs.at(-1)!.toFixed(2)} s, load ${loadavg()[0].toFixed(2)}\n`,
      );
    }
    const counts = new Set(
      engines.flatMap((e) => seen[e].map((r) => `${r.verdict} ${r.states} ${r.transitions}`)),
    );
    if (counts.size !== 1) throw new Error(`${bench.name}: the engines disagree: ${[...counts].join(' / ')}`);
    type Summary = {
      seconds: number;
      searchSeconds: number;
      statesPerSecond: number;
      peakMB: number;
      cpuSeconds: number;
      runs: { seconds: number; searchSeconds: number; cpuSeconds: number }[];
    };
    const summary = Object.fromEntries(
      engines.map((e) => {
        const seconds = median(seen[e].map((r) => r.seconds));
        const search = median(seen[e].map((r) => r.searchSeconds));
        return [
          e,
          {
            seconds,
            searchSeconds: search,
            statesPerSecond: seen[e][0].states / search,
            peakMB: median(seen[e].map((r) => r.peakMB)),
            cpuSeconds: median(seen[e].map((r) => r.cpuSeconds)),
            runs: seen[e].map((r) => ({
              seconds: r.seconds,
              searchSeconds: r.searchSeconds,
              cpuSeconds: r.cpuSeconds,
            })),
          },
        ];
      }),
    ) as Record<Engine, Summary>;
    const first = seen.sequential[0];
    rows.push({
      model: bench.name,
      symmetry: bench.symmetry,
      verdict: first.verdict,
      states: first.states,
      transitions: first.transitions,
      maxDepth: first.maxDepth,
      stateWords: first.stateWords,
      ...summary,
      twoSequentialAtOnceSeconds: median(pairs),
      machineParallelism: (2 * summary.sequential.seconds) / median(pairs),
      speedup: {
        workers2VsWorkers1: summary['workers 1'].seconds / summary['workers 2'].seconds,
        workers2VsSequential: summary.sequential.seconds / summary['workers 2'].seconds,
        workers1VsSequential: summary.sequential.seconds / summary['workers 1'].seconds,
        searchWorkers2VsWorkers1: summary['workers 1'].searchSeconds / summary['workers 2'].searchSeconds,
        searchWorkers2VsSequential: summary.sequential.searchSeconds / summary['workers 2'].searchSeconds,
      },
    });
  }

  const fmt = (x: number, d = 2) => x.toFixed(d);
  const lines = [
    ['model', 'states', 'engine', 'seconds', 'search s', 'states/s', 'cpu s', 'peak MB'],
    ...rows.flatMap((r) =>
      engines.map((e) => [
        e === 'sequential' ? r.model : '',
        e === 'sequential' ? r.states.toLocaleString('en-US') : '',
        e,
        fmt(r[e].seconds),
        fmt(r[e].searchSeconds),
        Math.round(r[e].statesPerSecond).toLocaleString('en-US'),
        fmt(r[e].cpuSeconds),
        fmt(r[e].peakMB, 0),
      ]),
    ),
  ];
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  process.stdout.write(`${lines.map((l) => l.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n')}\n\n`);
  for (const r of rows) {
    const s = r.speedup;
    process.stdout.write(
      `${r.model}: 2 workers vs 1 ${fmt(s.workers2VsWorkers1)}x (search alone ${fmt(s.searchWorkers2VsWorkers1)}x), ` +
        `vs sequential BFS ${fmt(s.workers2VsSequential)}x (search alone ${fmt(s.searchWorkers2VsSequential)}x); ` +
        `1 worker vs sequential ${fmt(s.workers1VsSequential)}x; the machine's parallelism at the time ` +
        `${fmt(r.machineParallelism)} (two sequential searches at once: ${fmt(r.twoSequentialAtOnceSeconds)} s)\n`,
    );
  }
  const result = {
    machine: {
      cpu: cpus()[0]?.model,
      cores: availableParallelism(),
      memoryGB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      date: new Date().toISOString(),
      loadAverage: { start: loadStart, end: loadavg()[0] },
    },
    options: {
      runs,
      sequential: "explore(model, { order: 'bfs', hashCompaction: true, por: false, symmetry })",
      parallel: 'explore(model, { workers, symmetry, source }), each worker building the model from source',
      symmetry: 'as the row says (rows[].symmetry), the same for all three engines',
      seconds: 'median of the whole call; parallel: worker start-up included',
      searchSeconds: 'parallel: from the moment every worker had built its model',
      cpuSeconds: 'user + system time of the whole child process (every thread), model building included',
    },
    rows,
  };
  writeFileSync(here('./workers-results.json'), `${JSON.stringify(result, null, 2)}\n`);
}

await main();
