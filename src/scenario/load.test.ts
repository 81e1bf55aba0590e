import { describe, expect, it } from 'vitest';
import { builtinScenarios, type InputError, loadScenario, parseScenario } from './load.ts';

const err = (text: string): InputError => {
  try {
    parseScenario(text, 'x.yaml');
  } catch (e) {
    return e as InputError;
  }
  throw new Error('expected an error');
};

describe('scenario loading', () => {
  it('ships the built-in scenarios of SPEC §5', () => {
    expect(builtinScenarios()).toEqual(
      expect.arrayContaining([
        'seed-accel-mmap',
        'seed-gfx',
        'seed-accel-close',
        'seed-accel-dma',
        'two-procs-one-device',
      ]),
    );
    for (const name of builtinScenarios()) expect(loadScenario(name).name).toBe(name);
  });

  it('names the line, column and field of a schema error', () => {
    const e = err(
      'name: t\ndevices:\n  - name: d\n    client: accel\n    dma: -1\nprocesses:\n  - { name: p, program: [exit] }\n',
    );
    expect(e.toString()).toMatch(/^x\.yaml:5:10: devices\.0\.dma: /);
  });

  it('names an unknown field', () => {
    const e = err(
      'name: t\nfoo: 1\ndevices: [{ name: d, client: accel }]\nprocesses: [{ name: p, program: [exit] }]\n',
    );
    expect(e.message).toContain("unknown field 'foo'");
  });

  it('reports YAML syntax errors with a line', () => {
    const e = err('name: [unclosed\n');
    expect(e.line).toBeGreaterThan(0);
    expect(e.message).toMatch(/^YAML: /);
  });

  it('checks meaning: devices that exist, fds that are open, pages in range', () => {
    const base = 'name: t\ndevices: [{ name: d, client: accel }]\nprocesses:\n  - name: p\n    program:\n';
    expect(err(`${base}      - open: { device: e, fd: 3 }\n`).message).toContain("no device named 'e'");
    expect(err(`${base}      - mmap: 4\n`).message).toContain('fd 4 is not open');
    expect(err(`${base}      - touch: 3\n`).message).toContain('outside the buffer');
  });

  it('expands count and gives forked children their own tasks', () => {
    const sc = parseScenario(
      'name: t\ndevices: [{ name: d, client: accel }]\nprocesses:\n  - name: p\n    count: 2\n    program:\n      - open: { device: d, fd: 3 }\n      - fork: { name: c, program: [{ close: 3 }, exit] }\n      - exit\n',
      'x.yaml',
    );
    expect(sc.tasks.map((t) => t.name)).toEqual(['p0', 'p1', 'c', 'c']);
    expect(sc.tasks[2].forkedBy).toBe(0);
  });
});
