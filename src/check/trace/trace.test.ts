import { describe, expect, it } from 'vitest';
import { counters } from '../examples/counters.ts';
import { peterson } from '../examples/peterson.ts';
import { packTransition } from '../model.ts';
import { NO_PARENT, VisitedSet } from '../store/visited.ts';
import { finalState, replay, traceTo } from './trace.ts';

describe('replay', () => {
  it('gives the initial state and the state after every step', () => {
    const states = replay(counters(2, 3), [
      { actor: 1, choice: 0 },
      { actor: 0, choice: 0 },
      { actor: 1, choice: 0 },
    ]);
    expect(states.map((s) => [...s])).toEqual([
      [0, 0],
      [0, 1],
      [1, 1],
      [1, 2],
    ]);
    expect([...finalState(counters(2, 3), [{ actor: 1, choice: 0 }])]).toEqual([0, 1]);
  });

  it('names the step that cannot be taken, and why', () => {
    const model = counters(2, 1);
    const up = { actor: 0, choice: 0 };
    expect(() => replay(model, [up, up])).toThrow(
      'trace step 2 (actor 0, choice 0): this move is not enabled in the state reached after step 1',
    );
    expect(() => replay(model, [up, { actor: 2, choice: 0 }])).toThrow(
      /trace step 2 .*no such actor.*0\.\.1/,
    );
    expect(() => replay(model, [{ actor: 1, choice: 300 }])).toThrow(/trace step 1 .*0\.\.255/);
    expect(() => replay(peterson(), [{ actor: 0, choice: 1 }])).toThrow(/step 1 .*not enabled/);
  });
});

describe('traceTo', () => {
  it('walks parent links back to the initial state', () => {
    const v = new VisitedSet(1);
    const s = new Int32Array(1);
    v.add(s, NO_PARENT, NO_PARENT);
    s[0] = 1;
    v.add(s, 0, packTransition(3, 2));
    s[0] = 2;
    v.add(s, 1, packTransition(1, 0));
    expect(traceTo(v, 2)).toEqual([
      { actor: 3, choice: 2 },
      { actor: 1, choice: 0 },
    ]);
    expect(traceTo(v, 0)).toEqual([]);
  });
});
