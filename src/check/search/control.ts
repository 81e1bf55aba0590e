/**
 * Run control: slices of work between turns of the event loop, the time limit, the stop request and
 * progress reports.
 *
 * The search is synchronous inside a slice (a hot loop must not await) and gives the event loop a
 * turn between slices, so that a SIGINT handler can set the flag `shouldStop` reads and a progress
 * bar can redraw. A slice lasts about SLICE_MS: a Ctrl-C is answered within that. Between slices the
 * memory guard (memory.ts) also looks ahead, and ends the search before the machine runs out.
 */

import type { Engine } from './engine.ts';
import { MemoryGuard, type MemoryOptions } from './memory.ts';

const SLICE_MS = 50;
const DEFAULT_PROGRESS_MS = 500;

export interface Progress {
  states: number;
  transitions: number;
  /** Depth being worked on: the BFS level, or the DFS stack height. */
  depth: number;
  /** Deepest state stored so far. */
  maxDepth: number;
  /** States stored but not yet expanded (the BFS queue, the DFS stack); unknown to the parallel search. */
  queued?: number;
  /** Average since the search began. */
  statesPerSecond: number;
  memoryBytes: number;
  seconds: number;
}

export interface ControlOptions extends MemoryOptions {
  maxSeconds?: number;
  shouldStop?: () => boolean;
  onProgress?: (p: Progress) => void;
  progressIntervalMs?: number;
}

export type StopReason = 'stopped' | 'max-seconds' | 'memory';

export class RunControl {
  private readonly start = performance.now();
  private readonly endAt: number;
  private readonly options: ControlOptions;
  private lastProgress: number;
  /** Largest `engine.bytes` seen during the last `drive`. */
  peakBytes = 0;
  /** Set when the memory guard ended the search: how far memory would go, and what to do. */
  memoryMessage: string | null = null;

  constructor(options: ControlOptions) {
    this.options = options;
    this.endAt =
      options.maxSeconds === undefined ? Number.POSITIVE_INFINITY : this.start + options.maxSeconds * 1000;
    this.lastProgress = this.start;
  }

  get seconds(): number {
    return (performance.now() - this.start) / 1000;
  }

  /**
   * Runs `engine` slice by slice until it is done or the run must end. Returns why it ended early, or
   * null when the engine finished on its own.
   */
  async drive(engine: Engine): Promise<StopReason | null> {
    this.peakBytes = engine.bytes;
    this.memoryMessage = null;
    const memory = new MemoryGuard(this.options);
    for (;;) {
      const reason = this.poll();
      if (reason !== null) return reason;
      const over = engine.runSlice(Math.min(performance.now() + SLICE_MS, this.endAt));
      this.peakBytes = Math.max(this.peakBytes, engine.bytes);
      if (over) return null;
      if (this.outOfMemory(engine, memory)) return 'memory';
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.report(engine, false);
    }
  }

  private outOfMemory(engine: Engine, memory: MemoryGuard): boolean {
    const visited = engine.visited;
    this.memoryMessage = memory.check({
      states: visited.size,
      bytes: engine.bytes,
      growthBytes: visited.growthBytes,
      statesBeforeGrowth: visited.statesBeforeGrowth,
      compacted: visited.compacted,
    });
    return this.memoryMessage !== null;
  }

  /** Calls onProgress when its interval has passed, or at once when `force`d (the final report). */
  report(engine: Engine, force: boolean): void {
    const onProgress = this.options.onProgress;
    if (onProgress === undefined) return;
    const now = performance.now();
    if (!force && now - this.lastProgress < (this.options.progressIntervalMs ?? DEFAULT_PROGRESS_MS)) return;
    this.lastProgress = now;
    const seconds = (now - this.start) / 1000;
    const states = engine.visited.size;
    onProgress({
      states,
      transitions: engine.transitions,
      depth: engine.depth,
      maxDepth: engine.maxDepth,
      queued: engine.queued,
      statesPerSecond: seconds > 0 ? states / seconds : 0,
      memoryBytes: engine.bytes,
      seconds,
    });
  }

  private poll(): StopReason | null {
    if (this.options.shouldStop?.()) return 'stopped';
    if (performance.now() >= this.endAt) return 'max-seconds';
    return null;
  }
}
