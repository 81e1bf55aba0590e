/**
 * `svmsim check --valkey` and `svmsim worker` on svmsim's model, against the sequential hash-compacted
 * BFS: seed-accel-dma under every built-in policy with 1, 2 and 3 worker processes on a 3-node
 * Redis Cluster, and the other seed scenarios with 2; a worker killed mid-search; a search whose every process was killed, resumed. The
 * servers are started here, on 127.0.0.1 (test/valkey.ts), and killed at the end.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP, Keys, PARTITIONS } from '../src/check/distributed/valkey.ts';
import { explore, type ModelSource, type SearchResult, type WorkerSummary } from '../src/check/index.ts';
import { buildSystem } from '../src/cli/factory.ts';
import { builtinPolicies } from '../src/drivers/iommu/intel/policies/index.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { type Servers, startServers } from './valkey.ts';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const bin = here('../bin/svmsim.js');
const run = promisify(execFile);
const meta = (name: string): string => new Keys(name).meta;

let single: Servers | undefined;
let cluster: Servers | undefined;
const children: ChildProcess[] = [];
const outputs = new Map<ChildProcess, string>();

beforeAll(async () => {
  [single, cluster] = await Promise.all([startServers(1, false), startServers(3, true)]);
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  single?.stop();
  cluster?.stop();
});

/** `svmsim worker`, or with `generic` the worker that builds any recorded model (check/distributed/join.ts). */
function worker(urls: string[], name: string, generic = false): ChildProcess {
  const args = generic
    ? ['--import', 'tsx', here('../src/check/distributed/join.ts'), urls.join(','), name]
    : [bin, 'worker', '--valkey', urls.join(','), '--search', name, '--quiet'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', generic ? 'pipe' : 'ignore', 'inherit'] });
  child.stdout?.on('data', (b: Buffer) => outputs.set(child, (outputs.get(child) ?? '') + b.toString()));
  children.push(child);
  return child;
}
const exited = (c: ChildProcess): Promise<void> =>
  c.exitCode !== null || c.signalCode !== null
    ? Promise.resolve()
    : new Promise((r) => c.once('exit', () => r()));

interface Row {
  scenario: string;
  policy: string;
  verdict: string;
  violation: { kind: string } | null;
  trace: unknown[];
  stats: { states: number; transitions: number; resumedAt?: number; reduced: { ampleStates: number } };
}
/** `svmsim check ARGS --json`'s rows (a violation exits 1, which is no failure here). */
async function check(args: string[]): Promise<Row[]> {
  const r = await run(process.execPath, [bin, 'check', ...args, '--json']).catch(
    (e: { stdout: string }) => e,
  );
  return JSON.parse(r.stdout).results;
}
const row = (r: Row) => [
  r.scenario,
  r.policy,
  r.verdict,
  r.violation?.kind,
  r.trace.length,
  r.stats.states,
  r.stats.transitions,
];

describe('svmsim check --valkey', () => {
  it('checks the seed scenario under every built-in policy as the sequential BFS does, with 1, 2 and 3 workers on a cluster', async () => {
    const url = cluster!.urls[1];
    const [s, ...runs] = await Promise.all([
      check(['seed-accel-dma', '--hash-compaction']),
      ...[1, 2, 3].map((n) =>
        check(['seed-accel-dma', '--valkey', url, '--search', `seed${n}`, '--local-workers', String(n)]),
      ),
    ]);
    expect(s).toHaveLength(builtinPolicies.length);
    for (const d of runs) expect(d.map(row)).toEqual(s.map(row));
  });

  it('checks the other seed scenarios under every built-in policy as the sequential BFS does, with 1, 2 and 3 workers on a cluster', async () => {
    const seeds = ['seed-accel-mmap', 'seed-accel-close', 'seed-gfx'];
    const [s, ...runs] = await Promise.all([
      check([...seeds, '--hash-compaction']),
      ...[1, 2, 3].map((n) =>
        check([
          ...seeds,
          '--valkey',
          cluster!.urls.join(','),
          '--search',
          `seeds${n}`,
          '--local-workers',
          String(n),
        ]),
      ),
    ]);
    expect(s).toHaveLength(seeds.length * builtinPolicies.length);
    for (const d of runs) expect(d.map(row)).toEqual(s.map(row));
  }, 240_000);

  it('ends with the same counts when a worker is killed mid-search', async () => {
    const sc = loadScenario('seed-accel-dma');
    const source: ModelSource = {
      module: here('../src/cli/factory.ts'),
      exportName: 'buildSystem',
      args: [sc.text, sc.source, 'e57e58bd'],
    };
    const urls = single!.urls;
    const watch = new Redis(urls[0]);
    const started: ChildProcess[] = [];
    const keys = new Keys('kill');
    let killedAt = -1;
    /** Chunks the killed worker had read and not acknowledged when it died. */
    let orphaned = 0;
    let busy = false;
    // Kills worker 0 once it holds a chunk of level 10 or later: its consumer name carries its pid.
    const poll = setInterval(async () => {
      if (busy || killedAt >= 0 || started.length < 2) return;
      busy = true;
      try {
        const depth = Number(await watch.hget(keys.meta, 'depth'));
        if (depth < 10) return;
        for (let shard = 0; shard < PARTITIONS; shard++) {
          const stream = keys.frontier(shard, depth);
          const summary = (await watch.xpending(stream, GROUP).catch(() => [0])) as [number, ...unknown[]];
          const holders = (summary[3] ?? []) as [string, string][];
          const victim = holders.find(([name]) => name.includes(`:${started[0].pid}:`));
          if (victim === undefined) continue;
          killedAt = depth;
          started[0].kill('SIGKILL');
          await exited(started[0]);
          // The victim may have acknowledged its chunk just before it died, and the level ended.
          const left = (await watch
            .xpending(stream, GROUP, '-', '+', 10, victim[0])
            .catch(() => [])) as unknown[];
          orphaned = left.length;
          return;
        }
      } finally {
        busy = false;
      }
    }, 5);
    try {
      const model = await buildSystem(sc.text, sc.source, 'e57e58bd');
      const d: SearchResult = await explore(model, {
        source,
        por: true,
        symmetry: true,
        valkey: {
          urls,
          name: 'kill',
          claimAfterMs: 300,
          onRunning: () => {
            for (let i = 0; i < 2; i++) started.push(worker(urls, 'kill', true));
          },
          check: () => {
            if (started.length > 0 && started.every((c) => c.exitCode !== null || c.signalCode !== null))
              throw new Error('every worker exited before the search ended');
          },
        },
      });
      const s = await explore(await buildSystem(sc.text, sc.source, 'e57e58bd'), {
        order: 'bfs',
        hashCompaction: true,
        por: true,
        symmetry: true,
      });
      await Promise.all(started.map(exited));
      expect(killedAt).toBeGreaterThanOrEqual(10);
      expect(started[0].signalCode).toBe('SIGKILL');
      // The survivor took over what the killed worker held (join.ts prints its summary).
      const survivor = JSON.parse(outputs.get(started[1])!) as WorkerSummary;
      expect(survivor.claimed).toBeGreaterThanOrEqual(orphaned > 0 ? 1 : 0);
      expect(d.verdict).toBe(s.verdict);
      expect(d.stats.states).toBe(s.stats.states);
      expect(d.stats.transitions).toBe(s.stats.transitions);
      expect(d.stats.reduced?.ampleStates).toBe(s.stats.reduced?.ampleStates);
      expect(d.stats.reduced?.provisoFallbacks).toBe(s.stats.reduced?.provisoFallbacks);
    } finally {
      clearInterval(poll);
      watch.disconnect();
    }
  });

  it('resumes a search whose every process was killed, to the same counts', async () => {
    const urls = single!.urls;
    const watch = new Redis(urls[0]);
    try {
      const cli = (args: string[]) => {
        const c = spawn(
          process.execPath,
          [bin, 'check', ...args, '--valkey', urls[0], '--search', 'resume', '--json'],
          {
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        );
        children.push(c);
        return c;
      };
      const first = cli(['seed-accel-dma', '--policy', 'e57e58bd', '--local-workers', '0']);
      const workers: ChildProcess[] = [];
      let depth = -1;
      const until = Date.now() + 60_000;
      while (depth < 12) {
        if (Date.now() > until) throw new Error('the first search never reached level 12');
        if (workers.length === 0 && (await watch.hget(meta('resume'), 'status')) === 'running') {
          for (let i = 0; i < 2; i++) workers.push(worker(urls, 'resume'));
        }
        depth = Number((await watch.hget(meta('resume'), 'depth')) ?? -1);
        await new Promise((r) => setTimeout(r, 20));
      }
      for (const c of [first, ...workers]) c.kill('SIGKILL');
      await Promise.all([first, ...workers].map(exited));
      expect(await watch.hget(meta('resume'), 'status')).toBe('running');

      // Resumed by name alone: the scenario and policy come from the store.
      const resumed = cli(['--resume', '--local-workers', '2']);
      let out = '';
      resumed.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
      });
      const [[s]] = await Promise.all([
        check(['seed-accel-dma', '--policy', 'e57e58bd', '--hash-compaction']),
        exited(resumed),
      ]);
      const [r]: Row[] = JSON.parse(out).results;
      expect(r.stats.resumedAt).toBeGreaterThanOrEqual(12);
      expect(row(r)).toEqual(row(s));
      expect(r.stats.reduced.ampleStates).toBe(s.stats.reduced.ampleStates);
    } finally {
      watch.disconnect();
    }
  });
});
