import { describe, expect, it } from 'vitest';
import { REFCOUNT_USE_AFTER_FREE, refcount } from '../examples/refcount.ts';
import { explore } from '../index.ts';
import type { Model } from '../model.ts';
import { replay } from '../trace/trace.ts';
import { auditReductions } from './audit.ts';
import { concretize, sortBlocks } from './symmetry.ts';

describe('sortBlocks', () => {
  it('sorts blocks of several words lexicographically, saying whether any moved', () => {
    const s = Int32Array.from([9, 3, 1, 2, 0, 5, 1, 1, 7]);
    expect(sortBlocks(s, 1, 2, 4)).toBe(true);
    expect([...s]).toEqual([9, 1, 7, 2, 0, 3, 1, 5, 1]);
    expect(sortBlocks(s, 1, 2, 4)).toBe(false);
  });
});

describe('concretize', () => {
  it('turns a trace through representatives into one that replays from the initial state', async () => {
    const model = refcount(3, 2, 'check-then-get');
    const r = await explore(model, { symmetry: true });
    expect(r.stats.reduced?.canonicalized).toBeGreaterThan(0);
    const end = replay(model, r.violation!.trace).at(-1)!;
    expect(model.violation(end)).toBe(REFCOUNT_USE_AFTER_FREE);
  });

  it('maps each stored move to the concrete actor it stands for', () => {
    const model = refcount(2, 1);
    // User 0 gets: users' words [1, 0], stored sorted as [0, 1], so the stored trace has user 1 put.
    const stored = [
      { actor: 0, choice: 0 },
      { actor: 1, choice: 0 },
    ];
    expect(concretize(model, stored)).toEqual([
      { actor: 0, choice: 0 },
      { actor: 0, choice: 0 },
    ]);
    // Where every state on the way is its own representative, the trace stays as it is.
    const sorted = [
      { actor: 1, choice: 0 },
      { actor: 2, choice: 0 },
    ];
    expect(concretize(model, sorted)).toEqual(sorted);
  });

  /**
   * Actor a sets word a to a + 1, once. Sorting the words is no symmetry: the actors write different
   * values. Both words at 1 is the violation, and it is unreachable, but the sorted representative of
   * [1, 0] is [0, 1], from which actor 0 reaches [1, 1].
   */
  const notSymmetric: Model = {
    stateWords: 2,
    actorCount: 2,
    init: (out) => out.fill(0),
    choices: (s, a) => (s[a] === 0 ? 1 : 0),
    step(src, a, _c, out) {
      if (src[a] !== 0) return false;
      out.set(src);
      out[a] = a + 1;
      return true;
    },
    violation: (s) => (s[0] === 1 && s[1] === 1 ? 1 : 0),
    quiescent: () => 0,
    isDaemon: () => false,
    canonicalize: (s) => sortBlocks(s, 0, 1, 2),
  };

  it('refuses, saying why, a trace that a false symmetry made up; the audit names the state', async () => {
    await expect(explore(notSymmetric)).resolves.toMatchObject({ verdict: 'verified' });
    await expect(explore(notSymmetric, { symmetry: true })).rejects.toThrow(
      /symmetry: at trace step 2 no move of the concrete state reaches the orbit/,
    );
    expect(auditReductions(notSymmetric)[0]).toMatch(
      /in state \[1,0\]: its representative \[0,1\] has other/,
    );
  });
});
