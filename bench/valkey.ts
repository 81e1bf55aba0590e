/**
 * The distributed search (`svmsim check --valkey`, src/check/distributed/) beside the sequential
 * BFS and the parallel one (`--workers`), on this machine's loopback:
 *
 *   node --import tsx bench/valkey.ts [--runs 1] [--workers 1,2,4]
 *
 * It starts its own redis-server on 127.0.0.1 (test/valkey.ts; Debian's 7.0 here), then per model
 * runs the sequential BFS with hash compaction, `workers: 2` threads, and the distributed search
 * with 1, 2 and 4 worker processes (check/distributed/join.ts), each with symmetry and partial-order
 * reduction as `svmsim check` runs them. Every engine must report the same states and transitions.
 *
 * Figures: `seconds` is the whole call, worker start-up included; `searchSeconds` leaves the start-up
 * out for `--workers` (its engine reports it); for the distributed search it is the whole call too
 * (its workers start once the search is stored), so its states per second count start-up. Bytes per state: for the distributed search the store's own memory at the
 * peak over what it held before (INFO used_memory, the visited set, the frontier streams and the
 * level's owner hashes), the engine's stats.bytesPerState for the others. The workers' own memory
 * is not counted (each holds only the chunks it is expanding).
 *
 * Writes bench/valkey-results.json. Not part of `npm run bench`: the machine has two cores, so
 * four worker processes, the server and this coordinator share them.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { buildModel, explore, type ModelSource, type SearchResult } from '../src/check/index.ts';
import { startServers } from '../test/valkey.ts';
import { scenarioYaml } from './svm-configs.ts';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const runs = Number(arg('--runs', '1'));
const workerCounts = arg('--workers', '1,2,4').split(',').map(Number);

const benches: { name: string; source: ModelSource }[] = [
  {
    name: 'dining N=9 ordered',
    source: { module: here('../src/check/examples/dining.ts'), exportName: 'dining', args: [9, 'ordered'] },
  },
  {
    name: 'svm P2 D1 F1 MMAP=3 e57e58bd',
    source: {
      module: here('../src/cli/factory.ts'),
      exportName: 'buildSystem',
      args: [scenarioYaml({ P: 2, D: 1, F: 1, MMAP: 3 }), 'bench.yaml', 'e57e58bd'],
    },
  },
];

interface Measured {
  seconds: number;
  searchSeconds: number;
  statesPerSecond: number;
  bytesPerState: number;
  states: number;
  transitions: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function medianRun(ms: Measured[]): Measured & { runs: Measured[] } {
  const m = median(ms.map((x) => x.seconds));
  return { ...ms.find((x) => x.seconds === m)!, runs: ms };
}

async function local(source: ModelSource, workers?: number): Promise<Measured> {
  const model = await buildModel(source);
  const t0 = performance.now();
  const r: SearchResult =
    workers === undefined
      ? await explore(model, { order: 'bfs', hashCompaction: true, por: true, symmetry: true })
      : await explore(model, { workers, source, por: true, symmetry: true });
  const seconds = (performance.now() - t0) / 1000;
  const searchSeconds = r.engine.kind === 'workers' ? seconds - r.engine.startupSeconds : seconds;
  return {
    seconds,
    searchSeconds,
    statesPerSecond: r.stats.states / searchSeconds,
    bytesPerState: r.stats.bytesPerState,
    states: r.stats.states,
    transitions: r.stats.transitions,
  };
}

async function distributed(source: ModelSource, url: string, n: number, name: string): Promise<Measured> {
  const model = await buildModel(source);
  const children: ChildProcess[] = [];
  const t0 = performance.now();
  try {
    const r = await explore(model, {
      source,
      por: true,
      symmetry: true,
      valkey: {
        urls: [url],
        name,
        onRunning: () => {
          for (let i = 0; i < n; i++) {
            children.push(
              spawn(
                process.execPath,
                ['--import', 'tsx', here('../src/check/distributed/join.ts'), url, name],
                {
                  stdio: 'ignore',
                },
              ),
            );
          }
        },
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    // Worker start-up included: the workers start when the search is stored, and the search waits.
    const searchSeconds = seconds;
    const storeBytes = r.engine.kind === 'valkey' ? r.engine.storeBytes : 0;
    return {
      seconds,
      searchSeconds,
      statesPerSecond: r.stats.states / searchSeconds,
      bytesPerState: storeBytes / r.stats.states,
      states: r.stats.states,
      transitions: r.stats.transitions,
    };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  }
}

const servers = await startServers(1, false);
const started = new Date().toISOString();
const load = loadavg()[0];
const rows = [];
try {
  for (const b of benches) {
    const row: Record<string, unknown> = { model: b.name };
    const engines: [string, () => Promise<Measured>][] = [
      ['sequential', () => local(b.source)],
      ['workers 2 (threads)', () => local(b.source, 2)],
      ...workerCounts.map((n): [string, () => Promise<Measured>] => [
        `valkey ${n}`,
        () => distributed(b.source, servers.urls[0], n, `bench${n}`),
      ]),
    ];
    for (const [name, go] of engines) {
      const ms: Measured[] = [];
      for (let k = 0; k < runs; k++) ms.push(await go());
      const m = medianRun(ms);
      row[name] = m;
      process.stdout.write(
        `${b.name}  ${name.padEnd(20)} ${m.states} states  ${m.seconds.toFixed(1)} s (search ${m.searchSeconds.toFixed(1)} s)  ` +
          `${Math.round(m.statesPerSecond)} states/s  ${Math.round(m.bytesPerState)} B/state\n`,
      );
    }
    const counts = engines.map(([name]) => {
      const m = row[name] as Measured;
      return `${m.states}/${m.transitions}`;
    });
    if (new Set(counts).size !== 1)
      throw new Error(`${b.name}: the engines disagree on states/transitions: ${counts}`);
    rows.push(row);
  }
} finally {
  servers.stop();
}
writeFileSync(
  here('./valkey-results.json'),
  `${JSON.stringify(
    {
      machine: {
        cpu: cpus()[0]?.model,
        cores: cpus().length,
        memoryGB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        date: started,
        loadAverage: { start: load, end: loadavg()[0] },
      },
      options: {
        runs,
        server: 'one redis-server 7.0 on 127.0.0.1 (default configuration, no persistence)',
        sequential: "explore(model, { order: 'bfs', hashCompaction: true, por: true, symmetry: true })",
        workers: 'explore(model, { workers: 2, source, por: true, symmetry: true })',
        valkey:
          'explore(model, { source, por: true, symmetry: true, valkey: { urls } }) with N join.ts processes',
      },
      rows,
    },
    null,
    1,
  )}\n`,
);
