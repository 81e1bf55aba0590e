import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPolicy } from '../drivers/iommu/intel/policies/index.ts';
import { describeViolation } from '../report/describe.ts';
import { traceSteps } from '../report/text.ts';
import { InputError } from '../scenario/load.ts';
import { runSchedule } from '../system/schedule.ts';
import { SvmSystem } from '../system/system.ts';
import { loadModelScenario } from './input.ts';
import { policyIdentity } from './policy.ts';
import { replayTrace } from './replay.ts';
import { makeTraceFile, type TraceFile } from './tracefile.ts';

const dir = mkdtempSync(join(tmpdir(), 'svmsim-replay-'));

/** A run trace of seed-accel-mmap under e57e58bd (no violation), as the JSON object. */
function runTrace(): TraceFile {
  const p = findPolicy('e57e58bd')!;
  const sys = new SvmSystem(loadModelScenario('seed-accel-mmap'), p);
  const r = runSchedule(sys);
  const v = r.code ? describeViolation(sys, traceSteps(sys, r.trace).final, r.code) : null;
  return makeTraceFile('run', sys, policyIdentity('e57e58bd', p), r.trace, v);
}

async function refusal(t: unknown, o: { policy?: string } = {}): Promise<InputError> {
  const f = join(dir, `t${Math.random()}.json`);
  writeFileSync(f, JSON.stringify(t));
  try {
    await replayTrace(f, o);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('the trace was accepted');
}

describe('replay refuses what the trace file does not support', () => {
  it('replays the trace as written', async () => {
    const f = join(dir, 'ok.json');
    writeFileSync(f, JSON.stringify(runTrace()));
    expect((await replayTrace(f, {})).steps.length).toBe(runTrace()['#meta'].svmsim.steps.length);
  });

  it('a malformed #meta is an error at its field path, not a TypeError', async () => {
    const t = runTrace() as unknown as { '#meta': { svmsim: Record<string, unknown> } };
    t['#meta'].svmsim.steps = 'many';
    expect((await refusal(t)).field).toBe('#meta.svmsim.steps');
    const u = runTrace() as unknown as { '#meta': { svmsim: { steps: Record<string, unknown>[] } } };
    delete u['#meta'].svmsim.steps[2].actor;
    expect((await refusal(u)).field).toBe('#meta.svmsim.steps.2.actor');
    expect((await refusal({ '#meta': null })).field).toBe('#meta');
  });

  it('refuses a negative choice, and a choice the state does not offer', async () => {
    const t = runTrace();
    t['#meta'].svmsim.steps[0].choice = -1;
    expect((await refusal(t)).field).toBe('#meta.svmsim.steps.0.choice');
    const u = runTrace();
    u['#meta'].svmsim.steps[0].choice = 1;
    expect((await refusal(u)).message).toContain('cannot take choice 1');
  });

  it('refuses a run trace cut short, and counts that disagree', async () => {
    const t = runTrace();
    const m = t['#meta'].svmsim;
    m.steps.pop();
    t.states.pop();
    m.stepCount--;
    expect((await refusal(t)).message).toContain('cut short');
    const u = runTrace();
    u['#meta'].svmsim.steps.pop();
    expect((await refusal(u)).field).toBe('#meta.svmsim.stepCount');
  });

  it('never loads a module the trace names; a user policy is given and checked by sha256', async () => {
    const marker = join(dir, 'imported');
    const evil = join(dir, 'evil.mjs');
    writeFileSync(
      evil,
      `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default {};\n`,
    );
    const t = runTrace();
    t['#meta'].svmsim.policy.name = evil;
    expect((await refusal(t)).field).toBe('#meta.svmsim.policy.name');
    const u = runTrace();
    u['#meta'].svmsim.policy.path = evil;
    expect((await refusal(u)).message).toContain('replay never loads a module a trace names');
    expect(existsSync(marker)).toBe(false);
    const mine = join(import.meta.dirname, '..', '..', 'docs', 'examples', 'no-fault-pin.ts');
    u['#meta'].svmsim.policy = { name: 'my-no-fault-pin', path: mine, sha256: '0'.repeat(64) };
    expect((await refusal(u, { policy: mine })).field).toBe('#meta.svmsim.policy.sha256');
    const v = runTrace();
    expect((await refusal(v, { policy: mine })).message).toContain('built-in policy e57e58bd, not ');
    expect(readFileSync(mine, 'utf8')).toContain('my-no-fault-pin');
  });
});
