/**
 * The distributed search against the sequential hash-compacted BFS (explore with order 'bfs' and
 * hash compaction, with the same reductions) on the classic models: the same states, transitions,
 * reduction counts, verdict, and violation kind and trace length, with 2 worker processes on a single
 * Redis node and 1, 2 and 3 on a 3-node Redis Cluster, both started by the test on 127.0.0.1. (On
 * svmsim's model, with a worker killed and a search resumed: test/distributed.test.ts.)
 *
 * Every worker is a process of its own (about a second to start under tsx, more for the SVM system),
 * so the cases are few and small.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Servers, startServers } from '../../../test/valkey.ts';
import { explore } from '../explore.ts';
import type { SearchResult } from '../result.ts';
import { buildModel, type ModelSource } from '../threads/source.ts';
import { finalState } from '../trace/trace.ts';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const join = here('./join.ts');

let single: Servers | undefined;
let cluster: Servers | undefined;
const children: ChildProcess[] = [];

beforeAll(async () => {
  [single, cluster] = await Promise.all([startServers(1, false), startServers(3, true)]);
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  single?.stop();
  cluster?.stop();
});

const example = (kind: string, ...args: unknown[]): ModelSource => ({
  module: here(`../examples/${kind}.ts`),
  exportName: kind,
  args,
});

/** A worker process that builds any model from the module the search records. */
function worker(urls: string[], name: string): ChildProcess {
  const args = ['--import', 'tsx', join, urls.join(','), name];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return child;
}
const exited = (c: ChildProcess): Promise<void> =>
  c.exitCode !== null || c.signalCode !== null
    ? Promise.resolve()
    : new Promise((r) => c.once('exit', () => r()));

async function distributed(
  source: ModelSource,
  urls: string[],
  workers: number,
  name: string,
): Promise<SearchResult> {
  const started: ChildProcess[] = [];
  const r = await explore(await buildModel(source), {
    source,
    por: true,
    symmetry: true,
    valkey: {
      urls,
      name,
      claimAfterMs: 500,
      onRunning: () => {
        for (let i = 0; i < workers; i++) started.push(worker(urls, name));
      },
      check: () => {
        if (started.length > 0 && started.every((c) => c.exitCode !== null))
          throw new Error('every worker exited before the search ended');
      },
    },
  });
  // A worker that started after a small search ended would wait for the next one.
  for (const c of started) if (c.exitCode === null) c.kill('SIGTERM');
  await Promise.all(started.map(exited));
  return r;
}

async function sequential(source: ModelSource): Promise<SearchResult> {
  return explore(await buildModel(source), { order: 'bfs', hashCompaction: true, por: true, symmetry: true });
}

async function expectSame(source: ModelSource, d: SearchResult, s: SearchResult): Promise<void> {
  expect(d.verdict).toBe(s.verdict);
  expect(d.stats.states).toBe(s.stats.states);
  expect(d.stats.transitions).toBe(s.stats.transitions);
  expect(d.stats.maxDepth).toBe(s.stats.maxDepth);
  expect(d.stats.reduced?.ampleStates).toBe(s.stats.reduced?.ampleStates);
  expect(d.stats.reduced?.provisoFallbacks).toBe(s.stats.reduced?.provisoFallbacks);
  expect(d.violation?.kind).toBe(s.violation?.kind);
  expect(d.violation?.code).toBe(s.violation?.code);
  expect(d.violation?.depth).toBe(s.violation?.depth);
  if (d.violation) {
    const model = await buildModel(source);
    const end = finalState(model, d.violation.trace);
    const code = d.violation.kind === 'state' ? model.violation(end) : model.quiescent(end);
    expect(code).toBe(d.violation.code);
  }
}

const classics: [string, ModelSource][] = [
  ['peterson turn-first (mutual exclusion broken)', example('peterson', 'turn-first')],
  ['dining 5 left-first (deadlock)', example('dining', 5, 'left-first')],
  ['dining 6 ordered (verified)', example('dining', 6, 'ordered')],
  ['refcount 3 2 check-then-get (use after free)', example('refcount', 3, 2, 'check-then-get')],
  ['refcount 3 2 correct (verified)', example('refcount', 3, 2, 'correct')],
];

describe('on one Redis node', () => {
  it('gives the sequential BFS counts and verdicts on the classic models, with 2 workers', async () => {
    for (const [name, source] of classics) {
      const [d, s] = await Promise.all([distributed(source, single!.urls, 2, 'classic'), sequential(source)]);
      await expectSame(source, d, s).catch((e) => {
        throw new Error(`${name}: ${(e as Error).message}`);
      });
    }
  });
});

describe('on a 3-node Redis Cluster', () => {
  it('gives the sequential BFS counts and verdicts with 1, 2 and 3 workers', async () => {
    for (const [name, source] of classics.slice(1, 4)) {
      const s = await sequential(source);
      for (const n of [1, 2, 3]) {
        const d = await distributed(source, cluster!.urls, n, `c${n}`);
        await expectSame(source, d, s).catch((e) => {
          throw new Error(`${name} with ${n} workers: ${(e as Error).message}`);
        });
      }
    }
  });
});
