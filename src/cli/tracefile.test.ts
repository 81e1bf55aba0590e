/**
 * Trace files are ITF (Apalache ADR-015): a counterexample `check --trace-out` writes validates
 * against a JSON Schema written from the ADR (docs/itf.schema.json), and Quint's own reader loads it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// Quint's ITF reader, from its own module: the package's index does not export it, and importing
// the index fails on Node 20 (antlr4ts: "Class extends value undefined"), where this module loads.
import { ofItf } from '@informalsystems/quint/dist/src/itf.js';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { findPolicy } from '../drivers/iommu/intel/policies/index.ts';
import { ITF_VARS } from '../report/itf.ts';
import { loadScenario } from '../scenario/load.ts';
import { checkOne } from './check.ts';
import { policyIdentity } from './policy.ts';
import { makeTraceFile, TRACE_EXTENSION, tracePath } from './tracefile.ts';

const schema = JSON.parse(readFileSync(join(import.meta.dirname, '../../docs/itf.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true }).compile(schema);

async function leakTrace() {
  const sc = loadScenario('seed-accel-mmap');
  const policy = findPolicy('v4.4')!;
  const { sys, trace, result } = await checkOne(sc, policy, { order: 'bfs' });
  return makeTraceFile('check', sys, policyIdentity('v4.4', policy), trace, result.violation);
}

describe('ITF trace files', () => {
  it('validate against the ADR-015 schema, every state with every variable', async () => {
    const t = await leakTrace();
    const json = JSON.parse(JSON.stringify(t));
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(json.vars).toEqual([...ITF_VARS]);
    json.states.forEach((s: Record<string, unknown>, i: number) => {
      expect(s['#meta']).toEqual({ index: i });
      expect(Object.keys(s).filter((k) => k !== '#meta')).toEqual(json.vars);
    });
    const meta = json['#meta'].svmsim;
    expect(meta.violation.kind).toBe('leak');
    expect(json.states.length).toBe(meta.stepCount + 1);
    expect(meta.steps.length).toBe(meta.stepCount);
    expect(meta.policy).toEqual({ name: 'v4.4', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('are refused by the schema in svmsim format version 1, and with a malformed big integer', async () => {
    const v1 = { '#meta': { format: 'svmsim-trace', formatVersion: 1 }, steps: [], violation: null };
    expect(validate(v1)).toBe(false);
    const t = JSON.parse(JSON.stringify(await leakTrace()));
    t.states[1].pasid_table['#map'][0][1] = { '#bigint': '0x100001' };
    expect(validate(t)).toBe(false);
  });

  it("load in Quint's reader with one state per step and the initial state", async () => {
    const t = await leakTrace();
    const states = ofItf(JSON.parse(JSON.stringify(t)));
    expect(states.length).toBe(t['#meta'].svmsim.stepCount + 1);
    const first = states[0];
    expect(first.kind === 'app' && first.opcode).toBe('Rec');
    if (first.kind !== 'app') return;
    const fields = first.args.filter((_, i) => i % 2 === 0).map((a) => a.kind === 'str' && a.value);
    expect(fields).toEqual([...ITF_VARS]);
    // The PASID table entry written at bind (0x100000|P) comes back as Quint's integer.
    const table = JSON.stringify(states.at(-1), (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
    expect(table).toContain(`"value":"${0x100001}n"`);
  });

  it('name a trace with no extension .itf.json, and keep an extension given', () => {
    expect(tracePath('leak')).toBe(`leak${TRACE_EXTENSION}`);
    expect(tracePath('leak.json')).toBe('leak.json');
  });
});
