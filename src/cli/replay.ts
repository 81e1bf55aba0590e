/**
 * `svmsim replay FILE`: re-executes a trace file step by step, checks that every recorded step
 * still happens as recorded (same actor able to move, same effect), and prints the same trace.
 */
import type { Transition } from '../check/index.ts';
import { describeMove, describeViolation, type ViolationView } from '../report/describe.ts';
import { colorsFor, formatSteps, formatViolation } from '../report/text.ts';
import { InputError, parseScenario } from '../scenario/load.ts';
import { SvmSystem } from '../system/system.ts';
import { resolvePolicy } from './policy.ts';
import { readTraceFile, sha256 } from './tracefile.ts';

export async function replayCommand(file: string, o: { json?: boolean }): Promise<number> {
  const t = readTraceFile(file);
  const meta = t['#meta'];
  if (sha256(meta.scenario.text) !== meta.scenario.sha256)
    throw new InputError(
      file,
      0,
      0,
      '#meta.scenario',
      'the scenario text was changed after the trace was written (its sha256 does not match)',
    );
  const sc = parseScenario(meta.scenario.text, `${file} (scenario ${meta.scenario.name})`);
  const policy = await resolvePolicy(meta.policy);
  const sys = new SvmSystem(sc, policy);
  let s = new Int32Array(sys.stateWords);
  sys.init(s);
  const steps = [];
  const trace: Transition[] = [];
  for (let i = 0; i < t.steps.length; i++) {
    const rec = t.steps[i];
    const actor = sys.actors.findIndex((a) => a.name === rec.actor);
    const where = `steps[${i}] (step ${i + 1})`;
    if (actor < 0)
      throw new InputError(file, 0, 0, where, `no actor named '${rec.actor}' in scenario ${sc.name}`);
    const next = new Int32Array(sys.stateWords);
    if (!Number.isInteger(rec.choice) || !sys.step(s, actor, rec.choice, next))
      throw new InputError(
        file,
        0,
        0,
        where,
        `${rec.actor} cannot take choice ${rec.choice} here: the trace does not replay (was it edited, or written by another model version?)`,
      );
    const view = describeMove(sys, s, actor, rec.choice, i + 1);
    const text = [view.at, ...view.notes].filter(Boolean).join(' → ');
    if (text !== rec.text)
      throw new InputError(
        file,
        0,
        0,
        where,
        `step differs from the recording:\n  recorded: ${rec.text}\n  replayed: ${text}`,
      );
    steps.push(view);
    trace.push({ actor, choice: rec.choice });
    s = next;
  }
  let violation: ViolationView | null = null;
  const code = sys.violation(s) || (meta.command === 'check' || t.violation ? sys.quiescent(s) : 0);
  if (code) violation = describeViolation(sys, s, code);
  if ((violation?.kind ?? null) !== (t.violation?.kind ?? null))
    throw new InputError(
      file,
      0,
      0,
      'violation',
      `recorded ${t.violation?.kind ?? 'no violation'}, replay gives ${violation?.kind ?? 'no violation'}`,
    );
  if (o.json) {
    process.stdout.write(
      `${JSON.stringify({ scenario: sc.name, policy: policy.name, verdict: violation ? 'fail' : 'pass', violation, steps }, null, 1)}\n`,
    );
  } else {
    const c = colorsFor(process.stdout);
    process.stdout.write(
      `${c.bold(sc.name)} under ${c.bold(policy.name)}: replay of ${file}, ${steps.length} steps, every one as recorded\n\n${formatSteps(steps, c)}\n\n${violation ? formatViolation(violation, c) : c.green('no violation')}\n`,
    );
  }
  return violation ? 1 : 0;
}
