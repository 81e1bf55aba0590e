/**
 * Which policy step a thread is running, readable from another thread: how svmsim names a step of
 * a user's policy that never returns. A thread stuck in such a step can answer no message, so
 * every thread that runs the user's code (the guard's worker, guard.ts, and the --swarm and
 * --workers search threads it starts, through factory.ts) writes, before each step it runs, the
 * step's routine id and pc into a slot of one SharedArrayBuffer, and marks the slot busy until the
 * move returns; the thread that keeps the time reads the busy slots when it has to give up.
 *
 * Routine ids are numbered by each system (kernel/exec.ts RoutineTable), so each slot also holds its
 * system's names, written once when it attaches. The cost per step is one call and three stores
 * into memory that only that thread writes, and only with a user's policy.
 */
import type { SvmSystem } from '../system/system.ts';

/** Threads that can attach (more attach unwatched). */
const SLOTS = 64;
/**
 * Per slot: the routine id, the pc, busy (1 from a step's start until its move returns), steps
 * started (wrapping), the names' length.
 */
const HEAD_WORDS = 6;
const BUSY = 2;
const STEPS = 3;
const NAMES = 4;
/** Room for a thread's routine names and step labels as JSON (the built-in ones take about 6 KB). */
const NAME_BYTES = 64 * 1024;
const SLOT_BYTES = HEAD_WORDS * 4 + NAME_BYTES;
/** Word 0 counts the slots claimed; the slots follow, 8-byte aligned. */
const FIRST = 8;

/** A new watch, for every thread that will run one check, simulation, run or replay. */
export const newStepWatch = (): SharedArrayBuffer => new SharedArrayBuffer(FIRST + SLOTS * SLOT_BYTES);

/** Makes this thread's `sys` write each step it runs into a slot of `watch` (no-op when all are taken). */
export function watchSteps(watch: SharedArrayBuffer, sys: SvmSystem): void {
  const slot = Atomics.add(new Int32Array(watch, 0, 1), 0, 1);
  if (slot >= SLOTS) return;
  const head = new Int32Array(watch, FIRST + slot * SLOT_BYTES, HEAD_WORDS);
  const names = new TextEncoder().encode(
    JSON.stringify(sys.kernel.routines.all.map((r, i) => [i + 1, r.name, [...r.labels]])),
  );
  if (names.length <= NAME_BYTES) {
    new Uint8Array(watch, FIRST + slot * SLOT_BYTES + HEAD_WORDS * 4, names.length).set(names);
    Atomics.store(head, NAMES, names.length);
  }
  sys.kernel.onStep = (_r, pc, id) => {
    head[0] = id;
    head[1] = pc;
    head[BUSY] = 1;
    head[STEPS]++;
  };
  // Every move of a kernel actor (check, simulate, run and replay all step through act) ends here;
  // a step that never returns never gets here, and its slot stays busy.
  const act = sys.act.bind(sys);
  sys.act = (actor, choice, notes) => {
    const moved = act(actor, choice, notes);
    head[BUSY] = 0;
    return moved;
  };
}

const claimed = (watch: SharedArrayBuffer): number =>
  Math.min(SLOTS, Atomics.load(new Int32Array(watch, 0, 1), 0));
const headOf = (watch: SharedArrayBuffer, slot: number): Int32Array =>
  new Int32Array(watch, FIRST + slot * SLOT_BYTES, HEAD_WORDS);

/**
 * The main thread's view of a watch: sample() it often; stuck(ms) names the steps that have been
 * running for at least `ms` with no other step started in the same thread since. A thread still
 * searching starts others; one waiting for the others (at a barrier) is in none.
 */
export class StepWatchReader {
  /** Per slot: the step count last seen, and since when it has not moved. */
  private readonly seen: { count: number; since: number }[] = [];

  constructor(private readonly watch: SharedArrayBuffer) {}

  sample(now = Date.now()): void {
    for (let slot = 0; slot < claimed(this.watch); slot++) {
      const count = Atomics.load(headOf(this.watch, slot), STEPS);
      const s = this.seen[slot];
      if (s === undefined || s.count !== count) this.seen[slot] = { count, since: now };
    }
  }

  stuck(ms: number, now = Date.now()): string[] {
    this.sample(now);
    const found = new Set<string>();
    for (let slot = 0; slot < this.seen.length; slot++) {
      const head = headOf(this.watch, slot);
      if (Atomics.load(head, BUSY) === 1 && now - this.seen[slot].since >= ms)
        found.add(stepName(this.watch, slot, head));
    }
    return [...found];
  }
}

/** The step slot `slot` last started, as `step 'label' of routine`. */
function stepName(watch: SharedArrayBuffer, slot: number, head: Int32Array): string {
  const id = Atomics.load(head, 0);
  const pc = Atomics.load(head, 1);
  const length = Atomics.load(head, NAMES);
  let named: [number, string, string[]] | undefined;
  if (length > 0) {
    // A copy: TextDecoder reads no shared memory.
    const bytes = new Uint8Array(watch, FIRST + slot * SLOT_BYTES + HEAD_WORDS * 4, length).slice();
    const all = JSON.parse(new TextDecoder().decode(bytes)) as [number, string, string[]][];
    named = all.find(([i]) => i === id);
  }
  return named ? `step '${named[2][pc] ?? `+${pc}`}' of ${named[1]}` : `a step (routine ${id}, pc ${pc})`;
}
