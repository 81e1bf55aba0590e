/**
 * The violations a search has come across, kept as candidates until their traces are final.
 *
 * One entry per (kind, code): a counterexample per distinct failure is what a user acts on, and a
 * buggy model can have millions of violating states. An entry keeps every candidate state at the
 * least depth seen so far, because in BFS the cheapest way (fewest actor switches) to reach a state of
 * the next level is only known once the current level is fully expanded; `settle` then picks one.
 */

/** 'state' and 'quiescent' are recorded here; 'livelock', a cycle, by the liveness check (liveness/). */
export type ViolationKind = 'state' | 'quiescent' | 'livelock';

export interface Finding {
  kind: ViolationKind;
  code: number;
  /** Visited-set index of the chosen violating state. */
  index: number;
  depth: number;
  /** Actor switches along the chosen trace (0 where the search does not track them). */
  switches: number;
  /** Order of first discovery, the last tie-break. */
  order: number;
}

interface Entry extends Finding {
  /** Candidates at `depth` not yet weighed by `settle`. */
  candidates: number[];
  settled: boolean;
}

export class Findings {
  private readonly entries = new Map<string, Entry>();
  private readonly target: { kind: ViolationKind; code: number } | null;

  /** With a target, only violations of that kind and code are kept (the DFS trace shortener's BFS). */
  constructor(target: { kind: ViolationKind; code: number } | null = null) {
    this.target = target;
  }

  get any(): boolean {
    return this.entries.size > 0;
  }

  wants(kind: ViolationKind, code: number): boolean {
    return this.target === null || (this.target.kind === kind && this.target.code === code);
  }

  record(kind: ViolationKind, code: number, index: number, depth: number): void {
    const key = `${kind}:${code}`;
    const entry = this.entries.get(key);
    if (entry === undefined) {
      const order = this.entries.size;
      this.entries.set(key, {
        kind,
        code,
        index,
        depth,
        switches: 0,
        order,
        candidates: [index],
        settled: false,
      });
    } else if (depth < entry.depth) {
      entry.depth = depth;
      entry.index = index;
      entry.candidates = [index];
      entry.settled = false;
    } else if (depth === entry.depth) {
      entry.candidates.push(index);
    }
  }

  /**
   * Chooses, per entry, the candidate with the fewest switches (the first found among equals). Called
   * once the switch counts of the candidates are final; a settled choice is never weighed again, so
   * the caller may forget the counts of settled states.
   */
  settle(switchesOf: (index: number) => number): void {
    for (const entry of this.entries.values()) {
      if (entry.candidates.length === 0) continue;
      let best = entry.settled ? entry.index : -1;
      let bestSwitches = entry.settled ? entry.switches : Number.POSITIVE_INFINITY;
      for (const i of entry.candidates) {
        const s = switchesOf(i);
        if (s < bestSwitches) {
          best = i;
          bestSwitches = s;
        }
      }
      entry.index = best;
      entry.switches = bestSwitches;
      entry.candidates = [];
      entry.settled = true;
    }
  }

  /** Settled findings, shortest first, then fewest switches, then first found. */
  list(): Finding[] {
    return [...this.entries.values()]
      .map(({ candidates: _c, settled: _s, ...finding }) => finding)
      .sort((a, b) => a.depth - b.depth || a.switches - b.switches || a.order - b.order);
  }
}
