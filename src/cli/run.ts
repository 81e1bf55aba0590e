/** `svmsim run <scenario>`: one schedule, printed step by step in kernel words. */
import { writeFileSync } from 'node:fs';
import type { SvmPolicy } from '../drivers/iommu/intel/svm.ts';
import { leakedObjects } from '../properties/quiescent.ts';
import { describeViolation, type ViolationView } from '../report/describe.ts';
import { renderHtml } from '../report/html/render.ts';
import { reportData } from '../report/snapshot.ts';
import { colorsFor, formatSteps, formatViolation, traceSteps } from '../report/text.ts';
import { withSpeculativeCaching } from '../scenario/load.ts';
import { runSchedule, type Schedule } from '../system/schedule.ts';
import { SvmSystem } from '../system/system.ts';
import { guardedUntilCtrlC, type Hung, isUserPolicy } from './guard.ts';
import { loadModelScenario } from './input.ts';
import { policyIdentity } from './policy.ts';
import { makeTraceFile, writeTraceFile } from './tracefile.ts';
import { VERSION } from './version.ts';

export interface RunOptions {
  /** Overrides the scenario's speculative_caching (scenario/load.ts withSpeculativeCaching). */
  speculativeCaching?: boolean;
  policy: SvmPolicy;
  /** The policy argument as the user gave it: a built-in's name or a module's path. */
  policyArg?: string;
  seed?: number;
  json?: boolean;
  traceOut?: string;
  report?: string;
}

export async function runCommand(scenarioArg: string, o: RunOptions): Promise<number> {
  const sc = withSpeculativeCaching(loadModelScenario(scenarioArg), o.speculativeCaching);
  const sys = new SvmSystem(sc, o.policy);
  let r: Schedule;
  if (isUserPolicy(o.policyArg)) {
    // The user's steps run in a worker thread that Ctrl-C can end (guard.ts); this thread replays
    // the steps that returned there to describe them.
    const g = await guardedUntilCtrlC(
      { kind: 'run', text: sc.text, source: sc.source, seed: o.seed },
      o.policyArg,
    );
    if ('hung' in g) return hungRun(sc.name, o, g.hung);
    r = g.done;
  } else r = runSchedule(sys, o.seed);
  const { steps, final } = traceSteps(sys, r.trace);
  const violation: ViolationView | null = r.code ? describeViolation(sys, final, r.code, r.trace) : null;
  if (o.traceOut)
    writeTraceFile(
      o.traceOut,
      makeTraceFile(
        'run',
        sys,
        policyIdentity(o.policyArg ?? o.policy.name, o.policy),
        r.trace,
        violation,
        o.seed,
      ),
    );
  if (o.report) writeFileSync(o.report, renderHtml(reportData(sys, 'run', r.trace, violation, VERSION)));
  if (o.json) {
    const out = {
      scenario: sc.name,
      policy: o.policy.name,
      seed: o.seed ?? null,
      verdict: violation ? 'fail' : 'pass',
      violations: violation ? [violation] : [],
      steps,
      end: endState(sys, final),
    };
    process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
    return violation ? 1 : 0;
  }
  const c = colorsFor(process.stdout);
  const order = o.seed === undefined ? 'default order (round-robin)' : `seeded random order, seed ${o.seed}`;
  const lines = [
    `${c.bold(sc.name)} under policy ${c.bold(o.policy.name)}, ${order}`,
    '',
    formatSteps(steps, c),
    '',
    violation ? formatViolation(violation, c) : c.green(`no violation: ${endState(sys, final).summary}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return violation ? 1 : 0;
}

/** A run whose policy step never returned: exit 3, as a run stopped before its end, with the step named. */
export function hungRun(scenario: string, o: { json?: boolean; policy: SvmPolicy }, hung: Hung): number {
  process.stderr.write(`svmsim: ${hung.message}\n`);
  if (o.json)
    process.stdout.write(
      `${JSON.stringify({ scenario, policy: o.policy.name, verdict: 'incomplete', incompleteReason: hung.reason, stuck: hung.steps }, null, 1)}\n`,
    );
  return 3;
}

/** What is left at the end: every object freed, or what is not. */
function endState(sys: SvmSystem, s: Int32Array): { allFreed: boolean; summary: string } {
  sys.world.s = s;
  const left = leakedObjects(sys.world).length;
  return {
    allFreed: left === 0,
    summary: left === 0 ? 'every object freed' : `${left} objects still allocated`,
  };
}
