import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

  it('names a bad request kind it does not know, and one listed twice, at the line of the field', () => {
    const yaml = (kinds: string) =>
      `name: t\ndevices:\n  - name: d\n    client: accel\n    bad_requests: [${kinds}]\nprocesses:\n  - { name: p, program: [exit] }\n`;
    const unknown = err(yaml('exec, teleport'));
    expect(unknown.toString()).toMatch(/^x\.yaml:5:\d+: devices\.0\.bad_requests\.1: /);
    expect(unknown.message).toContain('outside-vma');
    const twice = err(yaml('exec, exec'));
    expect(twice.toString()).toMatch(/^x\.yaml:5:\d+: devices\.0\.bad_requests: each kind at most once/);
    expect(parseScenario(yaml('privileged'), 'x.yaml').devices[0].badRequests).toEqual(['privileged']);
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
    expect(sc.tasks.map((t) => t.name)).toEqual(['p0', 'p1', 'c0', 'c1']);
    expect(sc.tasks[2].forkedBy).toBe(0);
  });

  describe('off the happy path', () => {
    const base = 'name: t\ndevices: [{ name: d, client: accel }]\nprocesses:\n  - name: p\n    program:\n';

    it('an alias that names no anchor is an error at the alias', () => {
      const e = err('name: t\ndevices: *nope\nprocesses: []\n');
      expect(e.toString()).toMatch(/^x\.yaml:2:10: YAML alias: .*nope/);
    });

    it('aliases that expand without bound are refused, not expanded', () => {
      const lines = ['name: t', 'a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]'];
      for (const [n, m] of [
        ['b', 'a'],
        ['c', 'b'],
        ['d', 'c'],
        ['e', 'd'],
      ])
        lines.push(`${n}: &${n} [${Array(10).fill(`*${m}`).join(', ')}]`);
      expect(err(lines.join('\n')).message).toMatch(/^YAML alias: /);
    });

    it('a directory is not a scenario file', () => {
      const dir = mkdtempSync(`${tmpdir()}/svmsim-`);
      expect(() => loadScenario(dir)).toThrow(/is a directory/);
    });

    it('names an unknown operation, and an unknown field inside a known one', () => {
      expect(err(`${base}      - opne: { device: d, fd: 3 }\n`).toString()).toMatch(
        /x\.yaml:6:15: processes\.0\.program\.0\.opne: unknown operation 'opne'/,
      );
      expect(err(`${base}      - open: { device: d, fd: 3, flags: 1 }\n`).message).toBe(
        "unknown field 'flags'",
      );
      expect(err(`${base}      - open: { device: d, fd: -1 }\n`).toString()).toContain(
        'processes.0.program.0.open.fd',
      );
      expect(err(`${base}      - exti\n`).message).toContain("unknown operation 'exti'");
    });

    it('process and fork names are unique', () => {
      const e = err(
        'name: t\ndevices: [{ name: d, client: accel }]\nprocesses:\n  - { name: p, program: [exit] }\n  - { name: p, program: [exit] }\n',
      );
      expect(e.toString()).toMatch(
        /^x\.yaml:5:13: processes\.1\.name: a process or fork named 'p' already exists/,
      );
      expect(err(`${base}      - fork: { name: p, program: [exit] }\n`).field).toBe(
        'processes.0.program.0.fork.name',
      );
      const copies = err(
        'name: t\ndevices: [{ name: d, client: accel }]\nprocesses:\n  - { name: p, count: 2, program: [exit] }\n  - { name: p1, program: [exit] }\n',
      );
      expect(copies.message).toContain("named 'p1' already exists");
    });

    it('names carry no control characters to the terminal', () => {
      const e = err(
        'name: "x\\e[31mred"\ndevices: [{ name: d, client: accel }]\nprocesses: [{ name: p, program: [exit] }]\n',
      );
      expect(e.field).toBe('name');
      expect(e.message).toContain('printable characters only');
    });

    it('nothing runs after exit', () => {
      const e = err(`${base}      - exit\n      - open: { device: d, fd: 3 }\n`);
      expect(e.field).toBe('processes.0.program.1');
      expect(e.message).toContain('nothing runs after exit');
    });

    it('binding one file twice is an error of the client program, also through the fd of a forked child', () => {
      const twice = err(
        `${base}      - open: { device: d, fd: 3 }\n      - ioctl_bind: 3\n      - ioctl_bind: 3\n`,
      );
      expect(twice.field).toBe('processes.0.program.2.ioctl_bind');
      expect(twice.message).toContain('already bound');
      const child = err(
        `${base}      - open: { device: d, fd: 3 }\n      - ioctl_bind: 3\n      - fork: { name: c, program: [{ ioctl_bind: 3 }] }\n`,
      );
      expect(child.message).toContain('already bound');
      // Another file on the same fd number, after close, may be bound.
      parseScenario(
        `${base}      - open: { device: d, fd: 3 }\n      - ioctl_bind: 3\n      - close: 3\n      - open: { device: d, fd: 3 }\n      - ioctl_bind: 3\n`,
        'x.yaml',
      );
    });
  });
});
