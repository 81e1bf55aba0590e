/**
 * A worker of the distributed search (`svmsim worker --valkey URL`, from any machine): joins the
 * search stored under a name, builds the model the search records, and expands chunks of the level
 * the coordinator has opened until the search ends.
 *
 * Chunks come from the level's frontier streams, one per partition, through the consumer group every
 * stream has: a worker reads a new entry (XREADGROUP), expands it (expand.ts), records it (FINISH)
 * and acknowledges it (XACK). When no stream has a new entry it claims one that another worker read
 * and has not acknowledged for claimAfterMs (XAUTOCLAIM): that worker died, or is stuck, and a chunk
 * expanded twice counts once. A worker builds one model and serves one search: a model instance picks
 * symmetry representatives by its own numbering (see parallel.ts), so every worker of a search must
 * build its model the same way, first thing in its process.
 */

import { hostname } from 'node:os';
import type { Model } from '../model.ts';
import { buildModel, type ModelSource } from '../threads/source.ts';
import { ChunkExpander, type ChunkOutput } from './expand.ts';
import { type Client, connect, GROUP, Keys, lost, PARTITIONS, shardOf, ValkeyError } from './valkey.ts';

export interface JoinOptions {
  urls: string[];
  /** The search's name (`--search`); 'default' by default. */
  name?: string;
  /**
   * Turns the source and identity the search records into a source to build here, or throws (a
   * ValkeyError with exit code 2, say) to refuse a search this worker cannot build the same model for.
   * By default the recorded source is used as it is.
   */
  localize?: (source: ModelSource, identity: Record<string, string>) => ModelSource | Promise<ModelSource>;
  /** How long to wait for a search to be running under the name; 60 s by default. */
  waitSeconds?: number;
  /** Called once the model is built and the worker starts taking chunks. */
  onJoined?: (meta: { run: string; identity: Record<string, string> }) => void;
}

export interface WorkerSummary {
  /** Chunks this worker expanded (a chunk claimed again counts for each that expanded it). */
  chunks: number;
  /** Of those, claimed from another worker. */
  claimed: number;
  /** How the search ended for this worker: it finished, was stopped, or was replaced by another run. */
  end: 'done' | 'stopped' | 'gone';
}

/** How long a worker with nothing to take waits before it asks again. */
const IDLE_MS = 3;

export async function joinSearch(options: JoinOptions): Promise<WorkerSummary> {
  const client = await connect(options.urls);
  try {
    return await serve(client, new Keys(options.name ?? 'default'), options);
  } catch (e) {
    throw e instanceof ValkeyError || !isConnectionError(e) ? e : lost(e);
  } finally {
    client.disconnect();
  }
}

async function serve(client: Client, keys: Keys, options: JoinOptions): Promise<WorkerSummary> {
  const waitUntil = performance.now() + (options.waitSeconds ?? 60) * 1000;
  let meta: Record<string, string>;
  for (;;) {
    meta = await client.hgetall(keys.meta);
    if (meta.status === 'running') break;
    if (performance.now() > waitUntil) {
      throw new ValkeyError(
        `no search is running under the name '${options.name ?? 'default'}' on ${options.urls.join(',')} ` +
          `(waited ${options.waitSeconds ?? 60} s); start one with svmsim check --valkey`,
        2,
      );
    }
    await sleep(200);
  }
  const run = meta.run;
  const identity = JSON.parse(meta.identity) as Record<string, string>;
  const recorded = JSON.parse(meta.source) as ModelSource;
  const source = options.localize ? await options.localize(recorded, identity) : recorded;
  const model: Model = await buildModel(source);
  if (model.stateWords !== Number(meta.stateWords)) {
    throw new ValkeyError(
      `this worker's model has ${model.stateWords} words a state, the search's ${meta.stateWords}: ` +
        'it was built from a different version of the model; refusing to join',
      2,
    );
  }
  const expander = new ChunkExpander(model, { symmetry: meta.symmetry === '1', por: meta.por === '1' });
  const claimAfterMs = Number(meta.claimAfterMs);
  const consumer = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  options.onJoined?.({ run, identity });

  const summary: WorkerSummary = { chunks: 0, claimed: 0, end: 'done' };
  for (;;) {
    const [r, status, level] = await client.hmget(keys.meta, 'run', 'status', 'depth');
    // A search that ended is wiped from the store: its metadata gone means done.
    if (r === null) return summary;
    if (r !== run) return { ...summary, end: 'gone' };
    if (status !== 'running') return { ...summary, end: status === 'done' ? 'done' : 'stopped' };
    const depth = Number(level);
    const taken = await take(client, keys, depth, consumer, claimAfterMs);
    if (taken.length === 0) {
      await sleep(IDLE_MS);
      continue;
    }
    // The chunks taken together are expanded together: while one waits for the store, another steps.
    const outputs: ChunkOutput[] = await Promise.all(
      taken.map((t) =>
        t.chunk === 'seed'
          ? expander.seed(client, keys, t.chunk)
          : expander.expand(client, keys, depth, t.chunk, expander.decode(t.bytes, t.states)),
      ),
    );
    // A chunk claimed from a worker that was only slow may end after its level did: drop it then.
    if ((await client.hget(keys.meta, 'depth')) !== String(depth)) continue;
    await Promise.all(
      taken.map(async (t, k) => {
        // Recorded before it is acknowledged: a worker that dies between the two leaves it pending,
        // and the next to claim it finds its record and appends nothing twice.
        await finish(client, keys, depth, t.chunk, outputs[k]);
        await client.xack(keys.frontier(t.shard, depth), GROUP, t.id);
      }),
    );
    summary.chunks += taken.length;
    summary.claimed += taken.filter((t) => t.claimed).length;
  }
}

interface AutoClaim {
  xautoclaimBuffer(...args: (string | number)[]): Promise<unknown>;
}

interface Taken {
  shard: number;
  id: string;
  /** The chunk's name: its shard and entry id, or 'seed'. */
  chunk: string;
  states: number;
  bytes: Buffer;
  claimed: boolean;
}

/**
 * Takes chunks of level `depth`: a new entry from each stream that has one (asked of every stream at
 * once), or else one entry per stream that another worker has held for claimAfterMs; none when there
 * is neither.
 */
async function take(
  client: Client,
  keys: Keys,
  depth: number,
  consumer: string,
  claimAfterMs: number,
): Promise<Taken[]> {
  const shards = Array.from({ length: PARTITIONS }, (_, s) => s);
  const fresh = await Promise.all(
    shards.map(async (shard) => {
      const r = await orNoGroup(
        client.xreadgroupBuffer(
          'GROUP',
          GROUP,
          consumer,
          'COUNT',
          1,
          'STREAMS',
          keys.frontier(shard, depth),
          '>',
        ) as Promise<[Buffer, [Buffer, Buffer[]][]][] | null>,
      );
      const entry = r?.[0]?.[1]?.[0];
      return entry ? taken(shard, depth, entry, false) : null;
    }),
  );
  const got = fresh.filter((t): t is Taken => t !== null);
  if (got.length > 0) return got;
  const claimed = await Promise.all(
    shards.map(async (shard) => {
      const r = (await orNoGroup(
        // Typed without its Buffer variant in ioredis 6, which has it.
        (client as unknown as AutoClaim).xautoclaimBuffer(
          keys.frontier(shard, depth),
          GROUP,
          consumer,
          claimAfterMs,
          '0-0',
          'COUNT',
          1,
        ),
      )) as [Buffer, [Buffer, Buffer[] | null][]] | null;
      const entry = r?.[1]?.find((e) => e[1] !== null) as [Buffer, Buffer[]] | undefined;
      return entry ? taken(shard, depth, entry, true) : null;
    }),
  );
  return claimed.filter((t): t is Taken => t !== null);
}

function taken(shard: number, depth: number, [idBuf, fields]: [Buffer, Buffer[]], claimed: boolean): Taken {
  const id = idBuf.toString();
  const field = (name: string): Buffer => {
    for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i].toString() === name) return fields[i + 1];
    throw new Error(`a frontier entry ${id} of level ${depth} has no field '${name}'`);
  };
  const states = Number(field('n').toString());
  return { shard, id, chunk: depth < 0 ? 'seed' : `${shard}-${id}`, states, bytes: field('s'), claimed };
}

/** Records the chunk as expanded and appends its parts to the next level, in the shard its name picks. */
async function finish(
  client: Client,
  keys: Keys,
  depth: number,
  chunk: string,
  output: ChunkOutput,
): Promise<void> {
  const shard = shardOf(chunk);
  const parts: (string | Buffer)[] = [];
  for (const p of output.parts) parts.push(String(p.states), p.bytes);
  await client.svmsimFinish(
    keys.done(shard, depth),
    keys.frontier(shard, depth + 1),
    chunk,
    JSON.stringify(output.counts),
    ...parts,
  );
}

/** A level's stream is gone (its level ended and was cleaned up): nothing to take from it. */
async function orNoGroup<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (e) {
    if (/NOGROUP/.test((e as Error).message)) return null;
    throw e;
  }
}

/** Whether an error is the connection's (retried, then given up), not a command's. */
export function isConnectionError(e: unknown): boolean {
  const m = (e as Error)?.message ?? '';
  return /Connection is closed|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Failed to refresh slots|None of startup nodes|All nodes|Cluster isn't ready|MaxRetriesPerRequest|CLUSTERDOWN/i.test(
    m,
  );
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
