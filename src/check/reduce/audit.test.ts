import { describe, expect, it } from 'vitest';
import { counters } from '../examples/counters.ts';
import { type Model, markResource } from '../model.ts';
import { auditReductions } from './audit.ts';

/**
 * Two actors race to claim word 0 (the first writes its number + 1 there); each also counts its own
 * word 1 + a up to 1. The footprints claim each actor touches only its own word.
 */
const racing = (overrides: Partial<Model> = {}): Model => ({
  stateWords: 3,
  actorCount: 2,
  init: (out) => out.fill(0),
  choices: () => 2,
  step(src, a, c, out) {
    out.set(src);
    if (c === 0) {
      if (src[0] !== 0) return false;
      out[0] = a + 1;
    } else {
      if (src[1 + a] !== 0) return false;
      out[1 + a] = 1;
    }
    return true;
  },
  violation: (s) => (s[0] === 2 ? 1 : 0),
  quiescent: () => 0,
  isDaemon: () => false,
  resourceCount: 3,
  observed: [0],
  footprint(_s, a, reads, writes) {
    markResource(reads, 1 + a);
    markResource(writes, 1 + a);
  },
  couldTouch(_s, a, reads, writes) {
    markResource(reads, 1 + a);
    markResource(writes, 1 + a);
  },
  ...overrides,
});

describe('auditReductions', () => {
  it('passes honest footprints and a true symmetry', () => {
    expect(auditReductions(counters(3, 2))).toEqual([]);
  });

  it('names the state and the actors where a footprint hides a conflict', () => {
    expect(auditReductions(racing())).toContain(
      "in state [0,0,0]: actor 0's choice 0 changes which moves of actor 1 are enabled",
    );
  });

  it('catches a move that changes violation() unobserved, and a couldTouch that grows', () => {
    const unobserved = racing({
      observed: [],
      footprint(_s, a, reads, writes) {
        for (const r of [0, 1 + a]) {
          markResource(reads, r);
          markResource(writes, r);
        }
      },
    });
    expect(auditReductions(unobserved)).toContain(
      "in state [0,0,0]: actor 1's choice 0 writes nothing observed, yet changes violation()",
    );
    const growing = racing({
      couldTouch(s, a, reads, writes) {
        markResource(reads, 1 + a);
        markResource(writes, 1 + a);
        if (s[0] !== 0) markResource(writes, 0);
      },
    });
    expect(auditReductions(growing)).toContain(
      'in state [0,0,0]: what actor 1 couldTouch grows when actor 0 takes choice 0',
    );
  });
});
