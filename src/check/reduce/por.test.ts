import { describe, expect, it } from 'vitest';
import { withDaemon as daemonModel } from '../examples/daemon.ts';
import { explore } from '../index.ts';
import { type Model, markResource } from '../model.ts';
import { replay } from '../trace/trace.ts';
import { AmpleSets, declaresFootprints } from './por.ts';

/**
 * A model whose footprints are given as tables: actor a's next move reads `next[a][0]` and writes
 * `next[a][1]`, and its future reads `future[a][0]` and writes `future[a][1]`. Every actor can move
 * (one choice) unless listed in `blocked`; moves do nothing the tests look at.
 */
function tabled(spec: {
  next: number[][][];
  future: number[][][];
  observed?: number[];
  daemons?: number[];
  blocked?: number[];
}): Model {
  const mark = (bits: Uint32Array, rs: number[]) => {
    for (const r of rs) markResource(bits, r);
  };
  return {
    stateWords: 1,
    actorCount: spec.next.length,
    init: (out) => out.fill(0),
    choices: (_s, a) => (spec.blocked?.includes(a) ? 0 : 1),
    step: () => false,
    violation: () => 0,
    quiescent: () => 0,
    isDaemon: (a) => spec.daemons?.includes(a) ?? false,
    resourceCount: 40,
    observed: spec.observed ?? [],
    footprint(_s, a, reads, writes) {
      mark(reads, spec.next[a][0]);
      mark(writes, spec.next[a][1]);
    },
    couldTouch(_s, a, reads, writes) {
      mark(reads, spec.future[a][0]);
      mark(writes, spec.future[a][1]);
    },
  };
}

const select = (model: Model, from = 0): number =>
  new AmpleSets(model).select(new Int32Array(model.stateWords), from);

describe('AmpleSets.select', () => {
  it('takes the first actor whose move touches nothing the others can still touch', () => {
    const model = tabled({
      next: [
        [[0], [0]],
        [[1], [1]],
      ],
      future: [
        [[0], [0]],
        [[1], [1]],
      ],
    });
    expect(select(model)).toBe(0);
    expect(select(model, 1)).toBe(1);
  });

  it('rejects a write to what another actor will read later, and a read of what it will write', () => {
    // Actor 1's next move is its own, but its future reads resource 0 (C1 looks at the future).
    const writesRead = tabled({
      next: [
        [[], [0]],
        [[1], [1]],
      ],
      future: [
        [[], [0]],
        [[0, 1], [1]],
      ],
    });
    expect(select(writesRead)).toBe(1);
    const readsWritten = tabled({
      next: [
        [[0], []],
        [[1], [1]],
      ],
      future: [
        [[0], []],
        [[1], [1, 0]],
      ],
    });
    expect(select(readsWritten)).toBe(1);
    // Both reading a resource is no conflict.
    const bothRead = tabled({
      next: [
        [[33], [0]],
        [[33], [1]],
      ],
      future: [
        [[33], [0]],
        [[33], [1]],
      ],
    });
    expect(select(bothRead)).toBe(0);
  });

  it('rejects a move that writes what violation() reads (C2)', () => {
    const model = tabled({
      next: [
        [[], [0]],
        [[], [1]],
      ],
      future: [
        [[], [0]],
        [[], [1]],
      ],
      observed: [0],
    });
    expect(select(model)).toBe(1);
  });

  it('never takes a daemon, but counts its future among the others', () => {
    const model = tabled({
      next: [
        [[], [0]],
        [[], [1]],
        [[], [2]],
      ],
      future: [
        [[], [0]],
        [[], [1]],
        [[], [2, 1]],
      ],
      daemons: [0, 2],
    });
    expect(select(model)).toBe(-1);
  });

  it('skips actors without a choice to make', () => {
    const model = tabled({
      next: [
        [[], [0]],
        [[], [1]],
      ],
      future: [
        [[], [0]],
        [[], [1]],
      ],
      blocked: [0],
    });
    expect(select(model)).toBe(1);
  });
});

describe('declaresFootprints', () => {
  const plain: Model = {
    stateWords: 1,
    actorCount: 1,
    init: (out) => out.fill(0),
    choices: () => 0,
    step: () => false,
    violation: () => 0,
    quiescent: () => 0,
    isDaemon: () => false,
  };

  it('is false for a model that declares none, and says what is missing from a partial declaration', () => {
    expect(declaresFootprints(plain)).toBe(false);
    expect(() => declaresFootprints({ ...plain, resourceCount: 3, observed: [] })).toThrow(
      /not footprint, couldTouch; partial-order reduction needs/,
    );
    const whole = { ...plain, resourceCount: 3, observed: [3], footprint() {}, couldTouch() {} };
    expect(() => declaresFootprints(whole)).toThrow(/observed names resource 3; resources are 0..2/);
  });
});

/**
 * Actor 0 toggles its own bit for ever, a move independent of everything and invisible; actor 1's one
 * move sets word 1, which is the violation. Without the cycle proviso the reduced search would keep
 * choosing actor 0 round its two-state cycle and never let actor 1 move.
 */
const ignoring: Model = {
  stateWords: 2,
  actorCount: 2,
  init: (out) => out.fill(0),
  choices: (s, a) => (a === 0 || s[1] === 0 ? 1 : 0),
  step(src, a, _c, out) {
    out.set(src);
    if (a === 0) out[0] ^= 1;
    else out[1] = 1;
    return true;
  },
  violation: (s) => s[1],
  quiescent: () => 0,
  isDaemon: () => false,
  resourceCount: 2,
  observed: [1],
  footprint(_s, a, reads, writes) {
    markResource(reads, a);
    markResource(writes, a);
  },
  couldTouch(s, a, reads, writes) {
    if (a === 1 && s[1] !== 0) return;
    markResource(reads, a);
    markResource(writes, a);
  },
};

describe('partial-order reduction in the search', () => {
  it('expands fully where an ample move closes a cycle, and so finds what the cycle would hide', async () => {
    for (const order of ['bfs', 'dfs'] as const) {
      const r = await explore(ignoring, { order, por: true });
      expect(r.verdict, order).toBe('violation');
      expect(r.stats.reduced?.provisoFallbacks, order).toBeGreaterThan(0);
      expect(replay(ignoring, r.violation!.trace).at(-1)![1], order).toBe(1);
    }
  });

  it('does not reduce moves that change what violation() reads, though they are independent', async () => {
    // Actor 0 sets x then clears it; actor 1 sets y; x and y both set is the violation. Each move is
    // independent of the other actor's, but running actor 0 first, as an ample set, would pass the
    // violating state by (C2).
    const transient: Model = {
      stateWords: 3,
      actorCount: 2,
      init: (out) => out.fill(0),
      choices: (s, a) => (a === 0 ? (s[2] < 2 ? 1 : 0) : s[1] === 0 ? 1 : 0),
      step(src, a, _c, out) {
        out.set(src);
        if (a === 0) {
          if (src[2] >= 2) return false;
          out[0] = src[2] === 0 ? 1 : 0;
          out[2]++;
        } else {
          if (src[1] !== 0) return false;
          out[1] = 1;
        }
        return true;
      },
      violation: (s) => (s[0] === 1 && s[1] === 1 ? 1 : 0),
      quiescent: () => 0,
      isDaemon: () => false,
      // Resources: 0 is x and actor 0's pc (words 0 and 2), 1 is y.
      resourceCount: 2,
      observed: [0, 1],
      footprint(_s, a, reads, writes) {
        markResource(reads, a);
        markResource(writes, a);
      },
      couldTouch(s, a, reads, writes) {
        if (a === 0 ? s[2] >= 2 : s[1] !== 0) return;
        markResource(reads, a);
        markResource(writes, a);
      },
    };
    for (const order of ['bfs', 'dfs'] as const) {
      const r = await explore(transient, { order, por: true });
      expect([r.verdict, r.stats.reduced?.ampleStates], order).toEqual(['violation', 0]);
    }
  });

  it('passes over an actor blocked for good and still reports the quiescent state', async () => {
    // Actor 0 waits on word 0, which nobody will ever set: independent, but it cannot move (C0).
    // Actors 1 and 2 count to 2 each. Where they are done, the system is stuck with actor 0 waiting.
    const stuck: Model = {
      stateWords: 3,
      actorCount: 3,
      init: (out) => out.fill(0),
      choices: (s, a) => (a === 0 || s[a] < 2 ? 1 : 0),
      step(src, a, _c, out) {
        if (a === 0 || src[a] >= 2) return false;
        out.set(src);
        out[a]++;
        return true;
      },
      violation: () => 0,
      quiescent: (s) => (s[0] === 0 ? 5 : 0),
      isDaemon: () => false,
      resourceCount: 3,
      observed: [],
      footprint(_s, a, reads, writes) {
        markResource(reads, a);
        if (a !== 0) markResource(writes, a);
      },
      couldTouch(_s, a, reads, writes) {
        markResource(reads, a);
        if (a !== 0) markResource(writes, a);
      },
    };
    for (const order of ['bfs', 'dfs'] as const) {
      const full = await explore(stuck, { order, findAll: true });
      const reduced = await explore(stuck, { order, findAll: true, por: true });
      expect(full.stats.states, order).toBe(9);
      expect(reduced.stats.states, order).toBe(5);
      expect([reduced.violation?.kind, reduced.violation?.code], order).toEqual(['quiescent', 5]);
    }
  });

  it('keeps a quiescent state where only a daemon can move', async () => {
    // examples/daemon.ts, with footprints: each actor touches only its own word.
    const withDaemon: Model = {
      ...daemonModel(),
      resourceCount: 2,
      observed: [],
      footprint(_s, a, reads, writes) {
        markResource(reads, a);
        markResource(writes, a);
      },
      couldTouch(s, a, reads, writes) {
        if (a === 0 && s[0] !== 0) return;
        markResource(reads, a);
        markResource(writes, a);
      },
    };
    for (const order of ['bfs', 'dfs'] as const) {
      const r = await explore(withDaemon, { order, por: true });
      expect(r.stats.reduced?.ampleStates, order).toBeGreaterThan(0);
      expect(r.violation, order).toMatchObject({ kind: 'quiescent', code: 7 });
    }
  });
});
