/**
 * Distributed breadth-first search (`svmsim check --valkey URL[,URL...]`): one level-synchronous BFS
 * by worker processes on any number of machines, whose visited set of 64-bit state signatures and
 * whose frontier live in a Valkey/Redis server or cluster. This process stores the search, holds the
 * level barrier and gives the result; the workers (worker.ts, `svmsim worker`) do the expanding.
 *
 * It is the scheme of Stern and Dill's distributed Murphi and of TLC's distributed mode (workers and
 * fingerprint-set servers) with the store as the fingerprint server: what parallel.ts does with one
 * shared table in one machine's memory, done with an existing distributed store instead of a
 * home-made one.
 *
 * - The visited set: each signature (hash.ts's signatureWords, as in parallel.ts and visited.ts's
 *   compacted mode) is a member of one bucket set; its top bits choose the partition, a hash tag, so a
 *   cluster's slots partition the set among its nodes (valkey.ts). A worker inserts a whole batch of
 *   successors in one round trip: a script per partition, pipelined, that inserts and says which
 *   were new.
 * - The frontier: each level is a stream per partition of chunks (one entry: up to 64 states,
 *   frontier.ts's delta encoding), read through a consumer group, so that a chunk a dead worker held
 *   is claimed again (XAUTOCLAIM after claimAfterMs). Expanding a chunk twice counts once (expand.ts).
 * - The barrier: level d is complete when every chunk of it has its done record (each holds the
 *   chunk's counts); this process polls for that, sums the counts, ends the search (a violation met
 *   in the level, no new state, a limit) or opens level d+1 by one write of the metadata, which the
 *   workers poll. That write is the checkpoint: a search stopped, or whose every process died, goes on
 *   with `--resume` from the level it records, the chunks already expanded in it included.
 * - The trace: the workers keep no parent links (they would triple the store's bytes a state). A
 *   violation ends the search at the level d that met it, as bfs.ts does; this process then finds a
 *   shortest trace by a level-bounded re-search, a sequential hash-compacted BFS to depth d with the
 *   same reductions (explore). That costs one machine the states of depth below d again; a search
 *   that verifies, the case a distributed search is for, pays nothing.
 *
 * The states, transitions and reduction counts are those of explore with order 'bfs', hash
 * compaction and the same reductions (parallel.ts argues why, for the proviso too); the verdict and
 * the trace's length too, and its kind and code are the sequential BFS's, since it is that search that
 * finds it. Unlike bfs.ts, maxStates is checked at the barrier: the search stops after the level that
 * passes it, and counts that level's states.
 */

import { randomBytes } from 'node:crypto';
import type { Model } from '../model.ts';
import { declaresFootprints } from '../reduce/por.ts';
import type { IncompleteReason, Progress, SearchResult } from '../result.ts';
import type { ReductionCounts } from '../search/engine.ts';
import { searchSequential } from '../search/search.ts';
import { buildModel, type ModelSource } from '../threads/source.ts';
import {
  type ChunkCounts,
  type Client,
  connect,
  GROUP,
  Keys,
  lost,
  PARTITIONS,
  ValkeyError,
} from './valkey.ts';
import { isConnectionError, sleep } from './worker.ts';

/** Where the search lives and who takes part: explore's `valkey` option. */
export interface ValkeySearch {
  /** The store: one server's URL, or URLs of a cluster's nodes (redis://127.0.0.1:7000). */
  urls: string[];
  /** The search's name in the store (`--search`); 'default' by default. */
  name?: string;
  /** Go on with the search stored under the name, from its last completed level. */
  resume?: boolean;
  /**
   * What a worker checks before it builds the model from `source` (the version, hashes of the inputs):
   * recorded with the search, handed to each worker's localize, and on resume compared with this one.
   */
  identity?: Record<string, string>;
  /** A chunk read and not acknowledged for this long is claimed by another worker; 5 s by default. */
  claimAfterMs?: number;
  /** Called when the search is stored and running, so workers may join (the CLI starts its own then). */
  onRunning?: () => void;
  /** Polled with the barrier: throw to give up (the CLI's own workers all died, say). */
  check?: () => void;
}

export interface DistributedOptions extends ValkeySearch {
  maxStates?: number;
  maxSeconds?: number;
  shouldStop?: () => boolean;
  onProgress?: (p: Progress) => void;
  progressIntervalMs?: number;
  symmetry?: boolean;
  por?: boolean;
}

/** How often the barrier asks whether the level is complete. */
const POLL_MS = 3;
const DEFAULT_CLAIM_MS = 5000;
const DEFAULT_PROGRESS_MS = 1000;

/** The metadata's running totals, as strings in the hash. */
interface Totals extends ReductionCounts {
  states: number;
  transitions: number;
  maxDepth: number;
}

/**
 * The search of `model`, whose workers build it from `source`; `model` serves this process (the
 * trace's re-search), built already by the caller, or from `source` when not given.
 */
export async function exploreDistributed(
  source: ModelSource,
  options: DistributedOptions,
  model?: Model,
): Promise<SearchResult> {
  const started = performance.now();
  const client = await connect(options.urls);
  try {
    return await coordinate(client, source, options, started, model ?? (await buildModel(source)));
  } catch (e) {
    throw e instanceof ValkeyError || !isConnectionError(e) ? e : lost(e);
  } finally {
    client.disconnect();
  }
}

async function coordinate(
  client: Client,
  source: ModelSource,
  options: DistributedOptions,
  started: number,
  model: Model,
): Promise<SearchResult> {
  const name = options.name ?? 'default';
  const keys = new Keys(name);
  const identity = options.identity ?? {};
  const symmetry = options.symmetry === true && model.canonicalize !== undefined;
  const por = options.por === true && declaresFootprints(model);
  const maxStates = options.maxStates ?? Number.POSITIVE_INFINITY;
  const maxSeconds = options.maxSeconds ?? Number.POSITIVE_INFINITY;
  const base = await usedMemory(client);
  let peak = 0;

  let depth: number;
  let chunks: number;
  let totals: Totals;
  let resumedAt: number | undefined;
  if (options.resume) {
    const meta = await client.hgetall(keys.meta);
    if (meta.run === undefined) {
      throw new ValkeyError(
        `--resume: no search is stored under the name '${name}' on ${options.urls.join(',')}`,
        2,
      );
    }
    if (meta.status === 'done') {
      throw new ValkeyError(`--resume: the search '${name}' has ended; there is nothing to resume`, 2);
    }
    if (meta.identity !== JSON.stringify(identity)) {
      throw new ValkeyError(
        `--resume: the search '${name}' was started on another model (${describe(JSON.parse(meta.identity))}), ` +
          `not this one (${describe(identity)})`,
        2,
      );
    }
    depth = Number(meta.depth);
    chunks = Number(meta.chunks);
    totals = {
      states: Number(meta.states),
      transitions: Number(meta.transitions),
      maxDepth: Number(meta.maxDepth),
      ampleStates: Number(meta.ampleStates),
      provisoFallbacks: Number(meta.provisoFallbacks),
      canonicalized: Number(meta.canonicalized),
    };
    resumedAt = depth;
    // A new run: any worker of the old one still alive leaves.
    await client.hset(keys.meta, { run: newRun(), status: 'running', claimAfterMs: claimMs(options) });
  } else {
    await wipe(client, name);
    depth = -1;
    chunks = 1;
    totals = {
      states: 0,
      transitions: 0,
      maxDepth: 0,
      ampleStates: 0,
      provisoFallbacks: 0,
      canonicalized: 0,
    };
    // Level -1 holds one chunk, the seed, whose expansion is the initial state (expand.ts).
    await client.xadd(keys.frontier(0, -1), '*', 'n', '0', 's', '');
    await openLevel(client, keys, -1);
    await client.hset(keys.meta, {
      run: newRun(),
      status: 'running',
      depth: -1,
      chunks: 1,
      ...totals,
      source: JSON.stringify(source),
      identity: JSON.stringify(identity),
      stateWords: model.stateWords,
      symmetry: symmetry ? '1' : '0',
      por: por ? '1' : '0',
      claimAfterMs: claimMs(options),
    });
  }
  options.onRunning?.();

  const progressMs = options.progressIntervalMs ?? DEFAULT_PROGRESS_MS;
  let lastProgress = 0;
  const seconds = (): number => (performance.now() - started) / 1000;
  const report = (force: boolean): void => {
    if (options.onProgress === undefined) return;
    const now = performance.now();
    if (!force && now - lastProgress < progressMs) return;
    lastProgress = now;
    options.onProgress({
      states: totals.states,
      transitions: totals.transitions,
      depth: Math.max(0, depth),
      maxDepth: totals.maxDepth,
      statesPerSecond: totals.states / Math.max(seconds(), 1e-9),
      memoryBytes: peak,
      seconds: seconds(),
    });
  };
  const end = async (status: 'done' | 'stopped'): Promise<void> => {
    await client.hset(keys.meta, 'status', status);
  };

  let found: ChunkCounts['violation'] = null;
  let stop: IncompleteReason | null = null;
  for (;;) {
    // Wait for every chunk of the level to be expanded.
    for (;;) {
      options.check?.();
      if (options.shouldStop?.()) stop = 'stopped';
      else if (seconds() >= maxSeconds) stop = 'max-seconds';
      if (stop !== null) break;
      const done = await sum(PARTITIONS, (s) => client.hlen(keys.done(s, depth)));
      if (done >= chunks) break;
      report(false);
      await sleep(POLL_MS);
    }
    if (stop !== null) break;
    const records = (
      await Promise.all(Array.from({ length: PARTITIONS }, (_, s) => client.hvals(keys.done(s, depth))))
    )
      .flat()
      .map((r) => JSON.parse(r) as ChunkCounts);
    let added = 0;
    for (const c of records) {
      added += c.states;
      totals.transitions += c.transitions;
      totals.ampleStates += c.ampleStates;
      totals.provisoFallbacks += c.provisoFallbacks;
      totals.canonicalized += c.canonicalized;
      if (c.violation !== null && (found === null || c.violation[2] < found[2])) found = c.violation;
    }
    totals.states += added;
    if (added > 0) totals.maxDepth = depth + 1;
    peak = Math.max(peak, (await usedMemory(client)) - base);
    if (found !== null || added === 0) break;
    const next = depth + 1;
    await openLevel(client, keys, next);
    const nextChunks = await sum(PARTITIONS, (s) => client.xlen(keys.frontier(s, next)));
    // The checkpoint: from here a resume starts at level `next`.
    await client.hset(keys.meta, { depth: next, chunks: nextChunks, ...totals });
    // Lagging a level behind, so that a straggler's FINISH of an old chunk still finds its record.
    await Promise.all(
      Array.from({ length: PARTITIONS }, (_, s) =>
        client.unlink(keys.frontier(s, depth), keys.done(s, depth - 1), keys.owners(s, depth)),
      ),
    );
    depth = next;
    chunks = nextChunks;
    report(false);
    if (totals.states >= maxStates) {
      stop = 'max-states';
      break;
    }
  }
  report(true);

  const stats: SearchResult['stats'] = {
    states: totals.states,
    transitions: totals.transitions,
    maxDepth: totals.maxDepth,
    seconds: 0,
    bytes: peak,
    bytesPerState: peak / Math.max(1, totals.states),
    omissionProbability: Math.min(1, (totals.states * (totals.states - 1)) / 2 ** 65),
    ...(options.symmetry === true || options.por === true
      ? {
          reduced: {
            por,
            symmetry,
            ampleStates: totals.ampleStates,
            provisoFallbacks: totals.provisoFallbacks,
            canonicalized: totals.canonicalized,
          },
        }
      : {}),
  };
  const result: SearchResult = {
    verdict: 'verified',
    stats,
    engine: { kind: 'valkey', storeBytes: peak, ...(resumedAt === undefined ? {} : { resumedAt }) },
  };
  if (stop !== null) {
    // Kept in the store, to be resumed.
    await end('stopped');
    result.verdict = 'incomplete';
    result.incompleteReason = stop;
  } else {
    await end('done');
    if (found !== null) {
      result.verdict = 'violation';
      result.violation = await shortestTrace(model, found, symmetry, por);
    }
    await wipe(client, name);
  }
  stats.seconds = seconds();
  return result;
}

/**
 * The level-bounded re-search: a sequential hash-compacted BFS no deeper than the violation, with the
 * search's reductions, finds a shortest trace (to the first violation that BFS meets at that depth).
 */
async function shortestTrace(
  model: Model,
  found: NonNullable<ChunkCounts['violation']>,
  symmetry: boolean,
  por: boolean,
): Promise<NonNullable<SearchResult['violation']>> {
  const [kind, code, depth] = found;
  const r = await searchSequential(model, {
    order: 'bfs',
    hashCompaction: true,
    maxDepth: depth,
    symmetry,
    por,
  });
  if (r.violation === undefined || r.violation.depth !== depth) {
    throw new Error(
      `the workers met a ${kind} violation ${code} at depth ${depth}, which a sequential search of that ` +
        `depth does not reach (it found ${r.violation ? `one at depth ${r.violation.depth}` : 'none'}): ` +
        'the workers built a different model, or the model is not a function of its state vector',
    );
  }
  return r.violation;
}

/** Creates the consumer group of level `depth`'s stream in every partition (and the empty streams). */
async function openLevel(client: Client, keys: Keys, depth: number): Promise<void> {
  await Promise.all(
    Array.from({ length: PARTITIONS }, async (_, s) => {
      try {
        await client.xgroup('CREATE', keys.frontier(s, depth), GROUP, '0', 'MKSTREAM');
      } catch (e) {
        // Created before a crash of this process: a resume opens the level again.
        if (!/BUSYGROUP/.test((e as Error).message)) throw e;
      }
    }),
  );
}

/** Deletes every key of the search called `name`, on every node. */
async function wipe(client: Client, name: string): Promise<void> {
  const pattern = `{svmsim:${name}[:}]*`;
  for (const node of nodes(client)) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      // One key at a time: keys of different slots cannot share a command in a cluster.
      await Promise.all(found.map((k) => node.unlink(k)));
    } while (cursor !== '0');
  }
}

function nodes(client: Client): Client[] {
  return (
    'nodes' in client && typeof client.nodes === 'function' && 'isCluster' in client && client.isCluster
      ? client.nodes('master')
      : [client]
  ) as Client[];
}

/** The store's memory in use, summed over its nodes (INFO memory's used_memory). */
async function usedMemory(client: Client): Promise<number> {
  let total = 0;
  for (const node of nodes(client)) {
    const m = /used_memory:(\d+)/.exec(await node.info('memory'));
    total += m ? Number(m[1]) : 0;
  }
  return total;
}

async function sum(n: number, f: (s: number) => Promise<number>): Promise<number> {
  const counts = await Promise.all(Array.from({ length: n }, (_, s) => f(s)));
  return counts.reduce((a, b) => a + b, 0);
}

const newRun = (): string => randomBytes(6).toString('hex');
const claimMs = (o: DistributedOptions): number => o.claimAfterMs ?? DEFAULT_CLAIM_MS;
const describe = (identity: Record<string, string>): string =>
  Object.entries(identity)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'no identity';

/** What a search stored under `name` records: its model's source and identity (for --resume). */
export async function storedSearch(
  urls: string[],
  name = 'default',
): Promise<{ source: ModelSource; identity: Record<string, string>; status: string } | null> {
  const client = await connect(urls);
  try {
    const meta = await client.hgetall(new Keys(name).meta);
    if (meta.run === undefined) return null;
    return { source: JSON.parse(meta.source), identity: JSON.parse(meta.identity), status: meta.status };
  } finally {
    client.disconnect();
  }
}
