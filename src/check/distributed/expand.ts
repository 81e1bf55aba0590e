/**
 * One chunk of a level, expanded by a worker of the distributed search (worker.ts): its states'
 * successors, inserted into the visited set in the store in batches (one round trip each: a script
 * call per partition, pipelined), and the new ones this chunk owns, encoded for the next level.
 *
 * A state is expanded as bfs.ts and parallel.ts expand it. With partial-order reduction every state
 * of the chunk first gets its ample set (the first actor por.ts's AmpleSets selects that can move);
 * the ample successors of the whole chunk are inserted in one batch; the states whose ample set the
 * cycle proviso rejects (one of its successors was stored before the level began: the store says 2)
 * and the states with none are then expanded fully, in a second batch. Whether a state is stored
 * before the level began depends only on the levels so far, never on the workers' timing, so the
 * states, transitions and reduction counts are those of explore with order 'bfs' and por (parallel.ts
 * argues it at length).
 *
 * A chunk may be expanded twice: its worker died after inserting some of its states, or was slow
 * enough that another claimed the chunk. The store remembers which chunk inserted each new state of
 * the level (valkey.ts's INSERT), so a second run owns exactly what the first did; and only the first
 * run to finish records the chunk and appends its parts (FINISH). A state met twice within one run is
 * owned once (`owned`).
 */

import { MAX_CHOICES, type Model } from '../model.ts';
import { AmpleSets, declaresFootprints } from '../reduce/por.ts';
import { tooManyChoices } from '../search/engine.ts';
import { FrontierReader, FrontierWriter, maxEntryBytes } from '../store/frontier.ts';
import { signatureWords } from '../store/hash.ts';
import {
  bucketOf,
  type ChunkCounts,
  type Client,
  type Keys,
  partitionOf,
  signatureMember,
} from './valkey.ts';

/** States per part of a chunk's output: a part is one stream entry, and a chunk of the next level. */
export const CHUNK = 64;

/** What INSERT answered for one signature. */
const OWNED = 1;
const EARLIER = 2;

interface Successor {
  /** The state of the chunk it came from. */
  from: number;
  state: Int32Array;
  h1: number;
  member: string;
}

export interface ChunkOutput {
  counts: ChunkCounts;
  /** Parts of at most CHUNK new states: how many, and their frontier encoding (frontier.ts). */
  parts: { states: number; bytes: Buffer }[];
}

export class ChunkExpander {
  private readonly model: Model;
  private readonly words: number;
  private readonly symmetric: boolean;
  private readonly scratch: Int32Array;
  private readonly ample: AmpleSets | null;
  private readonly daemon: Uint8Array;
  private readonly signature = new Int32Array(2);
  private readonly reader = new FrontierReader();
  private readonly writer: FrontierWriter;
  private readonly out: Uint8Array;

  constructor(model: Model, options: { symmetry: boolean; por: boolean }) {
    this.model = model;
    this.words = model.stateWords;
    this.symmetric = options.symmetry && model.canonicalize !== undefined;
    this.scratch = new Int32Array(this.symmetric ? this.words : 0);
    this.ample = options.por && declaresFootprints(model) ? new AmpleSets(model) : null;
    this.daemon = Uint8Array.from({ length: model.actorCount }, (_, a) => (model.isDaemon(a) ? 1 : 0));
    this.writer = new FrontierWriter(this.words);
    this.out = new Uint8Array(CHUNK * maxEntryBytes(this.words));
  }

  /** Whether symmetry reduction runs (asked for, and the model canonicalizes). */
  get symmetry(): boolean {
    return this.symmetric;
  }
  /** Whether partial-order reduction runs (asked for, and the model declares footprints). */
  get por(): boolean {
    return this.ample !== null;
  }

  /** Decodes a part (frontier.ts) of `count` states. */
  decode(bytes: Uint8Array, count: number): Int32Array[] {
    const states: Int32Array[] = [];
    const cur = new Int32Array(this.words);
    this.reader.start(bytes, 0, cur);
    for (let i = 0; i < count; i++) {
      this.reader.read(cur);
      states.push(cur.slice());
    }
    return states;
  }

  /** The seed chunk: the initial state, inserted as a state of depth 0. */
  async seed(client: Client, keys: Keys, chunk: string): Promise<ChunkOutput> {
    const counts = emptyCounts();
    const init = new Int32Array(this.words);
    this.model.init(init);
    if (this.symmetric) this.model.canonicalize!(init, this.scratch);
    const s = this.successor(-1, init);
    const [code] = await insert(client, keys, 0, chunk, [s]);
    const owned: Int32Array[] = [];
    if (code === OWNED) {
      owned.push(init);
      const v = this.model.violation(init);
      if (v !== 0) counts.violation = ['state', v, 0];
    }
    counts.states = owned.length;
    return { counts, parts: this.encode(owned) };
  }

  /** Expands the states of one chunk of level `depth`. */
  async expand(
    client: Client,
    keys: Keys,
    depth: number,
    chunk: string,
    states: Int32Array[],
  ): Promise<ChunkOutput> {
    const { model, daemon } = this;
    const counts = emptyCounts();
    const n = states.length;
    const amples = new Int32Array(n).fill(-1);
    const moved = new Uint8Array(n);
    const found = (kind: 'state' | 'quiescent', code: number, at: number): void => {
      if (counts.violation === null || at < counts.violation[2]) counts.violation = [kind, code, at];
    };

    const first: Successor[] = [];
    if (this.ample !== null) {
      const ample = this.ample;
      for (let i = 0; i < n; i++) {
        for (let a = ample.select(states[i], 0); a >= 0; a = ample.select(states[i], a + 1)) {
          const moves = this.stepActor(states[i], i, a, first, counts);
          if (moves > 0) {
            amples[i] = a;
            // An ample actor is never a daemon (por.ts): the state is not quiescent.
            moved[i] = 1;
            break;
          }
        }
      }
    }
    const firstCodes = await insert(client, keys, depth + 1, chunk, first);
    const full = new Uint8Array(n);
    for (let i = 0; i < n; i++) full[i] = amples[i] < 0 ? 1 : 0;
    first.forEach((s, k) => {
      if (firstCodes[k] === EARLIER) full[s.from] = 1;
    });
    for (let i = 0; i < n; i++) {
      if (amples[i] < 0) continue;
      if (full[i]) counts.provisoFallbacks++;
      else counts.ampleStates++;
    }

    const second: Successor[] = [];
    for (let i = 0; i < n; i++) {
      if (!full[i]) continue;
      for (let a = 0; a < model.actorCount; a++) {
        if (a === amples[i]) continue;
        const moves = this.stepActor(states[i], i, a, second, counts);
        if (moves > 0 && daemon[a] === 0) moved[i] = 1;
      }
      if (!moved[i]) {
        const q = model.quiescent(states[i]);
        if (q !== 0) found('quiescent', q, depth);
      }
    }
    const secondCodes = await insert(client, keys, depth + 1, chunk, second);

    const owned: Int32Array[] = [];
    const mine = new Set<string>();
    const own = (list: Successor[], codes: number[]): void => {
      list.forEach((s, k) => {
        if (codes[k] !== OWNED || mine.has(s.member)) return;
        mine.add(s.member);
        owned.push(s.state);
        const v = model.violation(s.state);
        if (v !== 0) found('state', v, depth + 1);
      });
    };
    own(first, firstCodes);
    own(second, secondCodes);
    counts.states = owned.length;
    return { counts, parts: this.encode(owned) };
  }

  /** Steps every choice of actor a in `state`, pushing the (canonical) successors; returns the moves. */
  private stepActor(
    state: Int32Array,
    from: number,
    a: number,
    into: Successor[],
    counts: ChunkCounts,
  ): number {
    const { model } = this;
    const choices = model.choices(state, a);
    if (choices > MAX_CHOICES) throw tooManyChoices(a, choices);
    let moves = 0;
    for (let c = 0; c < choices; c++) {
      const next = new Int32Array(this.words);
      if (!model.step(state, a, c, next)) continue;
      moves++;
      counts.transitions++;
      if (this.symmetric && model.canonicalize!(next, this.scratch)) counts.canonicalized++;
      into.push(this.successor(from, next));
    }
    return moves;
  }

  private successor(from: number, state: Int32Array): Successor {
    signatureWords(state, 0, this.words, this.signature);
    const [h1, h2] = this.signature;
    return { from, state, h1, member: signatureMember(h1, h2) };
  }

  /** The owned states in parts of CHUNK, each encoded from its own start (frontier.ts). */
  private encode(states: Int32Array[]): ChunkOutput['parts'] {
    const parts: ChunkOutput['parts'] = [];
    const { writer } = this;
    for (let k = 0; k < states.length; k += CHUNK) {
      writer.out = this.out;
      writer.at = 0;
      writer.start();
      const end = Math.min(states.length, k + CHUNK);
      // The entry's index is unused here: a state's identity is its signature.
      for (let i = k; i < end; i++) writer.write(0, states[i]);
      parts.push({ states: end - k, bytes: Buffer.from(this.out.subarray(0, writer.at)) });
    }
    return parts;
  }
}

export const emptyCounts = (): ChunkCounts => ({
  transitions: 0,
  states: 0,
  ampleStates: 0,
  provisoFallbacks: 0,
  canonicalized: 0,
  violation: null,
});

/**
 * Inserts the successors' signatures into the visited set, as new states of `depth` owned by `chunk`:
 * one INSERT call per partition, all sent together (ioredis pipelines them, per node). Returns
 * INSERT's answer per successor.
 */
async function insert(
  client: Client,
  keys: Keys,
  depth: number,
  chunk: string,
  list: Successor[],
): Promise<number[]> {
  if (list.length === 0) return [];
  const byPartition = new Map<number, number[]>();
  list.forEach((s, k) => {
    const p = partitionOf(s.h1);
    const at = byPartition.get(p);
    if (at === undefined) byPartition.set(p, [k]);
    else at.push(k);
  });
  const codes = new Array<number>(list.length);
  await Promise.all(
    [...byPartition].map(async ([p, at]) => {
      const buckets = at.map((k) => keys.bucket(p, bucketOf(list[k].h1)));
      const members = at.map((k) => list[k].member);
      const r = await client.svmsimInsert(
        buckets.length + 1,
        ...buckets,
        keys.owners(p, depth),
        chunk,
        ...members,
      );
      at.forEach((k, j) => {
        codes[k] = Number(r[j]);
      });
    }),
  );
  return codes;
}
