import { describe, expect, it } from 'vitest';
import { explore } from '../index.ts';
import { replay } from '../trace/trace.ts';
import { exploreEveryWay, switchesOf } from './agree.ts';
import { enumerate } from './enumerate.ts';
import { PETERSON_BOTH_CRITICAL, peterson } from './peterson.ts';

/*
 * Counting by hand. A flag is up exactly while its process is past raising it, so a state is
 * (pc0, pc1, turn): 5 * 5 * 2 = 50 candidates.
 *
 * Correct order, 32 reachable. Say a process has "handed over" when it is at pc 2..4 (turn written).
 * - Neither has: pcs in {0,1}^2, and turn may be either value (1 once process 0 has been round once): 8.
 * - Only one has: it wrote turn last, so turn names the other: 3 * 2 for each of the two: 12.
 * - Both have: the last to write turn waits while the other's flag is up, so it is at pc 2 or 3, and
 *   the other at 2..4: 2 * 3 for each choice of last writer: 12.
 * 8 + 12 + 12 = 32, and pc0 = pc1 = 4 is not among them.
 *
 * Turn-first, 48 reachable (violating states included; they are not expanded). All 50 but two:
 * (pc0 1, pc1 3, turn 0) would need process 1 to have written turn after process 0 did, then to have
 * seen process 0's flag up, but process 0 at pc 1 has not raised it yet; and its mirror image.
 */

describe('peterson', () => {
  it('counts 32 states for the correct order and 48 for turn-first, by brute force too', () => {
    expect(enumerate(peterson()).states).toBe(32);
    const buggy = enumerate(peterson('turn-first'));
    expect(buggy.states).toBe(48);
    expect([...buggy.violations]).toEqual([`state:${PETERSON_BOTH_CRITICAL}`]);
  });

  it('verifies the correct order in every configuration', async () => {
    const brute = enumerate(peterson());
    for (const { name, result } of await exploreEveryWay(peterson())) {
      expect(result.verdict, name).toBe('verified');
      expect(result.stats.states, name).toBe(32);
      expect(result.stats.transitions, name).toBe(brute.transitions);
    }
  });

  it('finds both processes in the critical section with turn-first, by a shortest trace', async () => {
    const model = peterson('turn-first');
    const brute = enumerate(model);
    for (const { name, result } of await exploreEveryWay(model)) {
      expect(result.verdict, name).toBe('violation');
      const v = result.violation!;
      expect(v.kind, name).toBe('state');
      expect(v.code, name).toBe(PETERSON_BOTH_CRITICAL);
      expect(v.depth, name).toBe(brute.shortestViolation);
      const states = replay(model, v.trace);
      expect(model.violation(states[states.length - 1]), name).toBe(PETERSON_BOTH_CRITICAL);
    }
  });

  it('prefers, among shortest BFS traces, the fewest actor switches', async () => {
    const model = peterson('turn-first');
    const result = await explore(model);
    expect(switchesOf(result.violation!.trace)).toBe(enumerate(model).fewestSwitches);
  });

  it('explores every state of turn-first with findAll, agreeing with brute force', async () => {
    const brute = enumerate(peterson('turn-first'));
    for (const { name, result } of await exploreEveryWay(peterson('turn-first'), { findAll: true })) {
      expect(result.stats.states, name).toBe(48);
      expect(result.stats.transitions, name).toBe(brute.transitions);
      expect(result.violations?.length, name).toBe(1);
    }
  });
});
