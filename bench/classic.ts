/**
 * The classic models of the engine table. Each is written twice: as an svmsim explorer model (the
 * ones in src/check/examples) and in Promela (bench/promela/), with the same state variables and
 * the same atomicity (one shared access per step), so that both tools must reach exactly the same
 * number of states when neither reduces anything.
 *
 * Only variants without a violation are used: both tools stop at the first one, and where they stop
 * depends on each one's search order, so a state count would compare nothing.
 */

import { counters, dining, type Model, peterson, refcount } from '../src/check/index.ts';

export type Params = Record<string, number>;

export interface ClassicFamily {
  name: string;
  /** The Promela file in bench/promela/, parameterised by -D macros named as `params`. */
  pml: string;
  build(params: Params): Model;
  /** From thousands of states to about ten million; `quick` ones make the smoke run. */
  sizes: { params: Params; quick?: boolean }[];
}

export const classicFamilies: readonly ClassicFamily[] = [
  {
    name: 'counters',
    pml: 'counters.pml',
    build: (p) => counters(p.N, p.K),
    // (K+1)^N: 10^4, 10^6, 10^7.
    sizes: [{ params: { N: 4, K: 9 }, quick: true }, { params: { N: 6, K: 9 } }, { params: { N: 7, K: 9 } }],
  },
  {
    name: 'peterson',
    pml: 'peterson.pml',
    build: () => peterson('correct'),
    // 32 states: a check of the atomicity of tests and jumps, not a speed test.
    sizes: [{ params: {}, quick: true }],
  },
  {
    name: 'dining',
    pml: 'dining.pml',
    build: (p) => dining(p.N, 'ordered'),
    // About 4.45^N: 6336, 2.5 million, 11 million.
    sizes: [{ params: { N: 6 }, quick: true }, { params: { N: 10 } }, { params: { N: 11 } }],
  },
  {
    name: 'refcount',
    pml: 'refcount.pml',
    build: (p) => refcount(p.N, p.R, 'correct'),
    // 2 (2R+1)^N: 4802, 1.6 million, 11.5 million.
    sizes: [{ params: { N: 4, R: 3 }, quick: true }, { params: { N: 7, R: 3 } }, { params: { N: 8, R: 3 } }],
  },
];

export function findFamily(name: string): ClassicFamily {
  const family = classicFamilies.find((f) => f.name === name);
  if (family === undefined) {
    throw new Error(`no classic model '${name}' (known: ${classicFamilies.map((f) => f.name).join(', ')})`);
  }
  return family;
}

/** "counters N=7 K=9": how a row names a model and its size. */
export const classicLabel = (family: string, params: Params): string =>
  [family, ...Object.entries(params).map(([k, v]) => `${k}=${v}`)].join(' ');
