/**
 * A second, deliberately naive reachability enumerator, for tests to cross-check the explorer
 * against: plain BFS over a JS Set of string keys, sharing no code with search.ts or visited.ts.
 * Like the explorer, it does not expand a state that violates; unlike it, it keeps every state it
 * meets, so it is for small models only.
 */

import type { Model } from '../model.ts';

export interface Enumeration {
  states: number;
  /** Every reachable state, as its words joined by commas. */
  keys: Set<string>;
  transitions: number;
  /** Length of a shortest path to a violating or badly quiescent state, or -1 if none is reachable. */
  shortestViolation: number;
  /** Distinct violations: 'state:<code>' and 'quiescent:<code>'. */
  violations: Set<string>;
  /**
   * Among the shortest paths to a violation, the fewest actor switches any has (-1 if none): exact,
   * keeping for each state the best count per last actor.
   */
  fewestSwitches: number;
}

export function enumerate(model: Model): Enumeration {
  const init = new Int32Array(model.stateWords);
  model.init(init);
  const seen = new Set<string>([init.join(',')]);
  const violations = new Set<string>();
  /** For states of the current and next level: last actor -> fewest switches on a shortest path. */
  const labels = new Map<string, Map<number, number>>([[init.join(','), new Map([[-1, 0]])]]);
  let frontier: Int32Array[] = [init];
  let transitions = 0;
  let shortestViolation = -1;
  let fewestSwitches = -1;
  const violating = (s: Int32Array, depth: number): void => {
    if (shortestViolation >= 0 && shortestViolation < depth) return;
    shortestViolation = depth;
    const best = Math.min(...labels.get(s.join(','))!.values());
    fewestSwitches = fewestSwitches < 0 ? best : Math.min(fewestSwitches, best);
  };
  for (let depth = 0; frontier.length > 0; depth++) {
    const nextFrontier: Int32Array[] = [];
    const nextKeys = new Set<string>();
    for (const s of frontier) {
      const key = s.join(',');
      const v = model.violation(s);
      if (v !== 0) {
        violations.add(`state:${v}`);
        violating(s, depth);
        continue;
      }
      let moved = false;
      for (let a = 0; a < model.actorCount; a++) {
        for (let c = 0; c < model.choices(s, a); c++) {
          const t = new Int32Array(model.stateWords);
          if (!model.step(s, a, c, t)) continue;
          transitions++;
          if (!model.isDaemon(a)) moved = true;
          const tkey = t.join(',');
          if (!seen.has(tkey)) {
            seen.add(tkey);
            nextFrontier.push(t);
            nextKeys.add(tkey);
            labels.set(tkey, new Map());
          }
          if (nextKeys.has(tkey)) {
            const tlabels = labels.get(tkey)!;
            for (const [last, switches] of labels.get(key)!) {
              const cost = last === a || last < 0 ? switches : switches + 1;
              if (cost < (tlabels.get(a) ?? Number.POSITIVE_INFINITY)) tlabels.set(a, cost);
            }
          }
        }
      }
      const q = moved ? 0 : model.quiescent(s);
      if (q !== 0) {
        violations.add(`quiescent:${q}`);
        violating(s, depth);
      }
    }
    for (const s of frontier) labels.delete(s.join(','));
    frontier = nextFrontier;
  }
  return { states: seen.size, keys: seen, transitions, shortestViolation, violations, fewestSwitches };
}

/**
 * How many orbits the reachable states fall into: the number of distinct representatives that
 * `model.canonicalize` gives them, which is what symmetry reduction should store.
 */
export function orbits(model: Model): number {
  const scratch = new Int32Array(model.stateWords);
  const representatives = new Set<string>();
  for (const key of enumerate(model).keys) {
    const s = Int32Array.from(key.split(','), Number);
    model.canonicalize!(s, scratch);
    representatives.add(s.join(','));
  }
  return representatives.size;
}
