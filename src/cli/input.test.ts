import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findPolicy } from '../drivers/iommu/intel/policies/index.ts';
import { builtinDir, type InputError, parseScenario } from '../scenario/load.ts';
import { SvmSystem } from '../system/system.ts';
import { loadModelScenario, parseModelScenario } from './input.ts';

const err = (f: () => unknown): InputError => {
  try {
    f();
  } catch (e) {
    return e as InputError;
  }
  throw new Error('expected an error');
};

describe('capacity, checked at load', () => {
  it('count: 7 on two-procs-one-device is an input error at processes, with the limit', () => {
    const text = readFileSync(`${builtinDir}/two-procs-one-device.yaml`, 'utf8').replace(
      /count: 2/,
      'count: 7',
    );
    const e = err(() => parseModelScenario(text, 'big.yaml'));
    expect(e.constructor.name).toBe('InputError');
    expect(e.field).toBe('processes');
    expect(e.line).toBeGreaterThan(0);
    expect(e.message).toMatch(/7 processes .* need 70 page frames .* room for 64: at most 6/);
  });

  it('pages: 8 with three processes names the pages field', () => {
    const text = [
      'name: t',
      'pages: 8',
      'devices: [{ name: d, client: accel }]',
      'processes: [{ name: p, count: 3, program: [exit] }]',
    ].join('\n');
    const e = err(() => parseModelScenario(text, 't.yaml'));
    expect(e.toString()).toMatch(/^t\.yaml:2:8: pages: 3 processes/);
  });

  it('50 nested forks and 1024 fds are input errors, not crashes', () => {
    let prog = 'exit';
    for (let i = 0; i < 50; i++) prog = `{ fork: { name: c${i}, program: [${prog}] } }`;
    const forks = `name: t\ndevices: [{ name: d, client: accel }]\nprocesses: [{ name: p, program: [${prog}] }]\n`;
    expect(err(() => parseModelScenario(forks, 't.yaml')).message).toMatch(/51 processes/);
    const opens = Array.from({ length: 1024 }, (_, fd) => `{ open: { device: d, fd: ${fd} } }`).join(', ');
    const fds = `name: t\ndevices: [{ name: d, client: accel }]\nprocesses: [{ name: p, program: [${opens}] }]\n`;
    expect(err(() => parseModelScenario(fds, 't.yaml')).message).toMatch(/need 1024 files/);
  });

  it('what load accepts builds: the largest scenario within the limits', () => {
    const text =
      'name: t\ndevices: [{ name: d, client: accel }]\nprocesses: [{ name: p, count: 6, program: [exit] }]\n';
    const sc = parseModelScenario(text, 't.yaml');
    expect(new SvmSystem(sc, findPolicy('e57e58bd')!).actors.length).toBeGreaterThan(6);
    expect(() => parseScenario(text.replace('count: 6', 'count: 7'), 't.yaml')).not.toThrow();
    for (const name of ['seed-accel-dma', 'two-procs-one-device'])
      expect(loadModelScenario(name).name).toBe(name);
  });
});
