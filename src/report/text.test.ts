import { describe, expect, it } from 'vitest';
import { colorsFor } from './text.ts';

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
