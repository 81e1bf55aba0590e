/**
 * `svmsim replay FILE`: re-executes an ITF trace written by svmsim, step by step, from the replay
 * data in its #meta.svmsim; checks that every recorded step still happens as recorded (the same
 * actor able to move, the same text, the same state as the trace's states), and prints the trace.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Transition } from '../check/index.ts';
import { findPolicy } from '../drivers/iommu/intel/policies/index.ts';
import type { SvmPolicy } from '../drivers/iommu/intel/svm.ts';
import {
  describeLivelock,
  describeMove,
  describeViolation,
  type StepView,
  type ViolationView,
} from '../report/describe.ts';
import { traceDot } from '../report/dot.ts';
import { itfState } from '../report/itf.ts';
import { colorsFor, formatTrace, formatViolation } from '../report/text.ts';
import { InputError } from '../scenario/load.ts';
import { enabledMoves } from '../system/schedule.ts';
import { SvmSystem } from '../system/system.ts';
import { guardedUntilCtrlC, isUserPolicy } from './guard.ts';
import { parseModelScenario } from './input.ts';
import { policyIdentity, resolvePolicy } from './policy.ts';
import { type PolicyIdentity, readTraceFile, sha256, stepText } from './tracefile.ts';

export interface Replayed {
  scenario: string;
  policy: string;
  violation: ViolationView | null;
  steps: StepView[];
}

export async function replayCommand(
  file: string,
  o: { json?: boolean; policy?: string; dumpDot?: string },
): Promise<number> {
  let replayed: Replayed;
  let dot: string | undefined;
  if (isUserPolicy(o.policy)) {
    // The user's steps run in a worker thread that Ctrl-C can end (guard.ts).
    const g = await guardedUntilCtrlC({ kind: 'replay', file, dumpDot: o.dumpDot !== undefined }, o.policy);
    if ('hung' in g) {
      process.stderr.write(`svmsim: ${g.hung.message}\n`);
      if (o.json)
        process.stdout.write(
          `${JSON.stringify({ trace: file, verdict: 'incomplete', incompleteReason: g.hung.reason, stuck: g.hung.steps }, null, 1)}\n`,
        );
      return 3;
    }
    ({ replayed, dot } = g.done);
  } else {
    const r = await replay(file, o);
    replayed = r.replayed;
    if (o.dumpDot) dot = traceDot(r.sys, r.trace, r.code ? { code: r.code, atEnd: r.atEnd } : null);
  }
  const { scenario, policy, violation, steps } = replayed;
  if (o.dumpDot && dot !== undefined) writeFileSync(o.dumpDot, dot);
  if (o.json) {
    process.stdout.write(
      `${JSON.stringify({ scenario, policy, verdict: violation ? 'fail' : 'pass', violation, steps }, null, 1)}\n`,
    );
  } else {
    const c = colorsFor(process.stdout);
    process.stdout.write(
      `${c.bold(scenario)} under ${c.bold(policy)}: replay of ${file}, ${steps.length} steps, every one as recorded\n\n${formatTrace(steps, violation?.cycleStart, c)}\n\n${violation ? formatViolation(violation, c) : c.green('no violation')}\n`,
    );
  }
  return violation ? 1 : 0;
}

/** Re-executes a trace file; an InputError says where it does not replay. */
export async function replayTrace(file: string, o: { policy?: string }): Promise<Replayed> {
  return (await replay(file, o)).replayed;
}

/** Re-executes a trace file; `onSystem` sees the system before any step runs (guard-worker.ts). */
export async function replay(
  file: string,
  o: { policy?: string },
  onSystem?: (sys: SvmSystem) => void,
): Promise<{ replayed: Replayed; sys: SvmSystem; trace: Transition[]; code: number; atEnd: boolean }> {
  const t = readTraceFile(file);
  const meta = t['#meta'].svmsim;
  const bad = (field: string, msg: string): never => {
    throw new InputError(file, 0, 0, field, msg);
  };
  if (sha256(meta.scenario.text) !== meta.scenario.sha256)
    bad(
      '#meta.svmsim.scenario',
      'the scenario text was changed after the trace was written (its sha256 does not match)',
    );
  const sc = parseModelScenario(meta.scenario.text, `${file} (scenario ${meta.scenario.name})`);
  const policy = await tracePolicy(meta.policy, o.policy, bad);
  const sys = new SvmSystem(sc, policy);
  onSystem?.(sys);
  let s = new Int32Array(sys.stateWords);
  sys.init(s);
  const initial = itfState(sys, s, 0, { actor: '', choice: -1, text: 'initial state' });
  const first = Object.keys(initial).find((v) => !isDeepStrictEqual(initial[v], t.states[0]?.[v]));
  if (first) bad(`states[0].${first}`, `the initial state differs from the recorded one in ${first}`);
  const visited = [s];
  const steps: StepView[] = [];
  const trace: Transition[] = [];
  for (let i = 0; i < meta.steps.length; i++) {
    const rec = meta.steps[i];
    const where = `#meta.svmsim.steps[${i}] (step ${i + 1})`;
    const actor = sys.actors.findIndex((a) => a.name === rec.actor);
    if (actor < 0) bad(where, `no actor named '${rec.actor}' in scenario ${sc.name}`);
    const next = new Int32Array(sys.stateWords);
    // Only a choice the state offers: an index past the actor's choices could still step.
    if (rec.choice >= sys.choices(s, actor) || !sys.step(s, actor, rec.choice, next))
      bad(
        where,
        `${rec.actor} cannot take choice ${rec.choice} here: the trace does not replay (was it edited, or written by another model version?)`,
      );
    const view = describeMove(sys, s, actor, rec.choice, i + 1);
    const text = stepText(view);
    if (text !== rec.text)
      bad(where, `step differs from the recording:\n  recorded: ${rec.text}\n  replayed: ${text}`);
    const state = itfState(sys, next, i + 1, rec);
    const recorded = t.states[i + 1] as Record<string, unknown> | undefined;
    const differs = Object.keys(state).find((v) => !isDeepStrictEqual(state[v], recorded?.[v]));
    if (differs)
      bad(
        `states[${i + 1}].${differs}`,
        `the state after step ${i + 1} differs from the recorded one in ${differs}`,
      );
    steps.push(view);
    trace.push({ actor, choice: rec.choice });
    s = next;
    visited.push(s);
  }
  // A run without a violation goes on until no kernel actor can move: a trace that stops
  // before that is cut short.
  if (meta.command === 'run' && !meta.violation && !sys.violation(s)) {
    const scratch = new Int32Array(sys.stateWords);
    const more = enabledMoves(sys, s, scratch).find((m) => !sys.isDaemon(m.actor));
    if (more)
      bad(
        '#meta.svmsim.steps',
        `the run ends after ${meta.steps.length} steps while ${sys.actors[more.actor].name} can still move: the trace was cut short`,
      );
  }
  let violation: ViolationView | null = null;
  // The violation code of the last state; none for a livelock, which is a property of the cycle.
  let code = 0;
  const cycleStart = meta.violation?.cycleStart;
  if (meta.violation?.kind === 'livelock') {
    if (!Number.isInteger(cycleStart) || cycleStart! < 0 || cycleStart! >= steps.length)
      bad(
        '#meta.svmsim.violation.cycleStart',
        `must be a step index in 0..${steps.length - 1}, not ${cycleStart}`,
      );
    const waiting = checkLasso(
      sys,
      visited,
      trace.map((t) => t.actor),
      cycleStart!,
    );
    if (typeof waiting === 'string') bad('#meta.svmsim.violation', waiting);
    violation = describeLivelock(sys, s, waiting as number[], cycleStart!);
  } else {
    code = sys.violation(s) || (meta.command !== 'run' || meta.violation ? sys.quiescent(s) : 0);
    if (code) violation = describeViolation(sys, s, code, trace);
  }
  if ((violation?.kind ?? null) !== (meta.violation?.kind ?? null))
    bad(
      '#meta.svmsim.violation',
      `recorded ${meta.violation?.kind ?? 'no violation'}, replay gives ${violation?.kind ?? 'no violation'}`,
    );
  const replayed = { scenario: sc.name, policy: policy.name, violation, steps };
  return { replayed, sys, trace, code, atEnd: code !== 0 && sys.violation(s) === 0 };
}

/**
 * The policy a trace was written under, without ever loading a module the trace names: a built-in
 * by its name, or the user's module given with --policy, whose sha256 must be the recorded one.
 */
async function tracePolicy(
  rec: PolicyIdentity,
  arg: string | undefined,
  bad: (field: string, msg: string) => never,
): Promise<SvmPolicy> {
  if (rec.path !== undefined) {
    if (arg === undefined || findPolicy(arg))
      bad(
        '#meta.svmsim.policy.path',
        `the trace was written under the policy module ${rec.path}; replay never loads a module a trace names: give it with --policy ${rec.path}`,
      );
    const file = arg as string;
    // The file's sha256 first: no code runs that is not the code the trace was written under.
    let text: Buffer;
    try {
      text = readFileSync(resolve(file));
    } catch (e) {
      throw new InputError(file, 0, 0, '--policy', `cannot read the policy module: ${(e as Error).message}`);
    }
    if (sha256(text) !== rec.sha256)
      bad(
        '#meta.svmsim.policy.sha256',
        `${file} is not the module the trace was written under (its sha256 differs from the recorded one)`,
      );
    return resolvePolicy(file);
  }
  const policy = findPolicy(rec.name);
  if (!policy)
    return bad(
      '#meta.svmsim.policy.name',
      `no built-in policy named '${rec.name}' (and the trace names no policy file)`,
    );
  if (arg !== undefined && findPolicy(arg) !== policy)
    bad(
      '#meta.svmsim.policy',
      `the trace was written under the built-in policy ${rec.name}, not ${arg}: drop --policy`,
    );
  if (policyIdentity(rec.name, policy).sha256 !== rec.sha256)
    bad(
      '#meta.svmsim.policy.sha256',
      `the built-in policy ${rec.name} has changed since the trace was written (its sha256 differs)`,
    );
  return policy;
}

/**
 * A recorded livelock, judged as the explorer judged it (check/liveness/): the cycle from step
 * cycleStart + 1 on returns to the state it began in, some non-daemon actor moves in it, every actor
 * that could move all along it does (weak fairness), and some kernel actor waits all along it.
 * Returns the actors that wait, or what is wrong.
 */
function checkLasso(
  sys: SvmSystem,
  states: Int32Array[],
  movers: number[],
  cycleStart: number,
): number[] | string {
  const loop = states.slice(cycleStart, -1);
  if (!isDeepStrictEqual(states[cycleStart], states[states.length - 1]))
    return `the cycle from step ${cycleStart + 1} does not return to the state it began in`;
  const moved = new Set(movers.slice(cycleStart));
  if (![...moved].some((a) => !sys.isDaemon(a)))
    return 'only daemons move in the cycle: the system has settled';
  const next = new Int32Array(sys.stateWords);
  const canMove = (st: Int32Array, a: number): boolean => {
    for (let c = 0; c < sys.choices(st, a); c++) if (sys.step(st, a, c, next)) return true;
    return false;
  };
  const unfair = sys.actors.findIndex((_, a) => !moved.has(a) && loop.every((st) => canMove(st, a)));
  if (unfair >= 0)
    return `the cycle is not fair: ${sys.actors[unfair].name} could move all along it and never does`;
  const waiting = sys.actors.map((_, a) => a).filter((a) => loop.every((st) => sys.waiting(st, a)));
  return waiting.length > 0 ? waiting : 'no kernel actor waits all along the cycle';
}
