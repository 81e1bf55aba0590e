import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import type { StepView } from './describe.ts';
import { colorsFor, formatSteps, formatTrace } from './text.ts';

const c = pc.createColors(false);
const step = (index: number, actorName: string, note: string): StepView => ({
  index,
  actor: 0,
  actorName,
  actorKind: 'task',
  choice: 0,
  at: '',
  notes: [note],
  changes: [],
});

describe('formatTrace', () => {
  const steps = [step(1, 'proc', 'mmap'), step(2, 'dev', 'DMA'), step(3, 'dev', 'DMA')];

  it('is the plain trace without a cycle', () => {
    expect(formatTrace(steps, undefined, c)).toBe(formatSteps(steps, c));
  });

  it('prints a lasso as its stem, then "cycle:" and the cycle, numbered on', () => {
    expect(formatTrace(steps, 1, c).split('\n')).toEqual([
      '1  proc  mmap',
      'cycle:',
      '2  dev   DMA',
      '3  dev   DMA',
    ]);
  });

  it('prints a cycle from the initial state with no stem', () => {
    expect(formatTrace(steps, 0, c).split('\n')[0]).toBe('cycle:');
  });
});

describe('colorsFor', () => {
  const red = (stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv) =>
    colorsFor(stream, env).red('x') !== 'x';

  it('colours a terminal and nothing else, unless told', () => {
    expect(red({ isTTY: true }, {})).toBe(true);
    expect(red({ isTTY: false }, {})).toBe(false);
    expect(red({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });

  it('honours FORCE_COLOR off a terminal, and FORCE_COLOR=0 or false on one', () => {
    expect(red({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(red({ isTTY: false }, { FORCE_COLOR: '' })).toBe(true);
    expect(red({ isTTY: false }, { FORCE_COLOR: '0' })).toBe(false);
    expect(red({ isTTY: true }, { FORCE_COLOR: 'false' })).toBe(false);
  });

  it('lets NO_COLOR win over FORCE_COLOR and over a terminal', () => {
    expect(red({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(red({ isTTY: false }, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
  });
});
