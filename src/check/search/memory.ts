/**
 * The memory guard: ends a search, with a message saying how far the machine would have taken it,
 * before the process runs out of memory.
 *
 * Running out is not an exception we could catch. The explorer's tables are typed arrays, which live
 * outside the V8 heap and are zero-filled lazily: on Linux their allocation succeeds and the kernel's
 * OOM killer ends the process later, when the pages are touched, with no trace and no result. So the
 * guard looks ahead between slices of work (control.ts): the next slices will store about as many
 * states as the largest slice so far, at the bytes per state measured so far, and when the visited
 * table is about to double it briefly needs its old and its new slots at once. When that would not
 * fit in what the machine has left (MemAvailable, less a reserve for everything else; a cgroup limit
 * where there is one), or in an explicit `maxMemoryBytes`, the search stops, incomplete ('memory').
 *
 * The V8 heap holds only small things here (chunk lists, findings), but it has its own limit, which
 * ends the process just as abruptly; the guard stops when it is nearly reached too.
 */

import { freemem, totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';

/** What the guard is told after each slice. */
export interface MemorySample {
  states: number;
  /** Bytes held by the explorer's structures (Engine.bytes). */
  bytes: number;
  /** Bytes the visited table's next doubling allocates, and how many states it is away. */
  growthBytes: number;
  statesBeforeGrowth: number;
  /** Whether the search already keeps signatures only (hash compaction). */
  compacted: boolean;
}

/** What the machine has left; replaceable so that tests can play a small machine. */
export interface MemoryProbe {
  /** Bytes the process can still take before the machine (or its cgroup) runs out. */
  available(): number;
  heapUsed(): number;
  heapLimit(): number;
}

export const systemMemory: MemoryProbe = {
  available() {
    // os.freemem() is MemAvailable on Linux: free memory plus caches the kernel can drop.
    let free = freemem();
    const limit = process.constrainedMemory?.() ?? 0;
    if (limit > 0 && limit < totalmem()) free = Math.min(free, limit - process.memoryUsage.rss());
    return free;
  },
  heapUsed: () => process.memoryUsage().heapUsed,
  heapLimit: () => getHeapStatistics().heap_size_limit,
};

/** Left for the rest of the process and the machine: a twentieth of it, at least 256 MiB. */
const RESERVE_FRACTION = 1 / 20;
const RESERVE_MIN = 256 * 2 ** 20;
/** Look ahead this many of the largest slices seen. */
const SLICES_AHEAD = 4;
/** Stop when the V8 heap is this full. */
const HEAP_FULL = 0.9;

export interface MemoryOptions {
  /** Stop before the explorer's own structures would pass this many bytes. */
  maxMemoryBytes?: number;
  /** What the machine has left; the real machine by default. */
  memoryProbe?: MemoryProbe;
}

export class MemoryGuard {
  private readonly probe: MemoryProbe;
  private readonly maxBytes: number;
  private readonly reserve: number;
  private lastStates = 0;
  private largestSlice = 0;

  constructor(options: MemoryOptions = {}) {
    this.probe = options.memoryProbe ?? systemMemory;
    this.maxBytes = options.maxMemoryBytes ?? Number.POSITIVE_INFINITY;
    this.reserve =
      options.maxMemoryBytes === undefined ? Math.max(RESERVE_MIN, totalmem() * RESERVE_FRACTION) : 0;
  }

  /** Null to go on; otherwise the reason to stop now, said for a user. */
  check(s: MemorySample): string | null {
    this.largestSlice = Math.max(this.largestSlice, s.states - this.lastStates);
    this.lastStates = s.states;
    const heapUsed = this.probe.heapUsed();
    const heapLimit = this.probe.heapLimit();
    if (heapUsed > heapLimit * HEAP_FULL) {
      return (
        `stopped before memory runs out: the JavaScript heap holds ${mib(heapUsed)} of its ${mib(heapLimit)} limit ` +
        `at ${s.states} states; rerun with NODE_OPTIONS=--max-old-space-size=<MiB> set higher`
      );
    }
    const perState = s.bytes / Math.max(1, s.states);
    const ahead = SLICES_AHEAD * Math.max(1, this.largestSlice);
    let need = ahead * perState;
    if (s.statesBeforeGrowth <= ahead) need += s.growthBytes;
    const leftOnMachine = this.probe.available() - this.reserve;
    const leftInLimit = this.maxBytes - s.bytes;
    const left = Math.min(leftOnMachine, leftInLimit);
    if (left >= need) return null;

    const fit = statesThatFit(s, left);
    const where =
      leftInLimit <= leftOnMachine
        ? `the memory limit of ${mib(this.maxBytes)}`
        : `what this machine has left (${mib(Math.max(0, left))} more, keeping ${mib(this.reserve)} spare)`;
    const remedy = s.compacted
      ? `bound the search with --max-states ${round(fit)} (maxStates)`
      : `use --hash-compaction (hashCompaction: a 64-bit signature instead of each state, about 40 ` +
        `bytes a state in all, with a small chance of missing states), or bound the search with ` +
        `--max-states ${round(fit)}`;
    return (
      `stopped before memory runs out: ${s.states} states take ${mib(s.bytes)} (${Math.round(perState)} bytes each), ` +
      `and ${where} holds about ${fit} states in all; to go further, ${remedy}`
    );
  }
}

/**
 * About how many states fit in all, with `left` more bytes: states cost what they have cost so far,
 * besides the table, which doubles at 3/4 load and needs its old and new slots while it does.
 */
function statesThatFit(s: MemorySample, left: number): number {
  let table = s.growthBytes / 2;
  const perState = Math.max(1, (s.bytes - table) / Math.max(1, s.states));
  let states = s.states;
  let before = s.statesBeforeGrowth;
  for (;;) {
    if (left < before * perState) return Math.floor(states + Math.max(0, left) / perState);
    states += before;
    left -= before * perState;
    if (left < 2 * table) return states;
    left -= table;
    table *= 2;
    before = states;
  }
}

const mib = (bytes: number): string =>
  bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.round(bytes / 2 ** 20)} MiB`;

/** `n` rounded down to two significant digits: a bound to type. */
function round(n: number): number {
  const unit = 10 ** Math.max(0, Math.floor(Math.log10(n)) - 1);
  return Math.max(1, Math.floor(n / unit) * unit);
}
