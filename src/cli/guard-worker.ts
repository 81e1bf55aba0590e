/**
 * A check of a user's policy in its own thread (guard.ts starts it through guard-boot.mjs): it
 * builds the system, says before each step which one it runs (in shared memory, where the main
 * thread reads it if the step never returns), checks, and posts the result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { StepError } from '../kernel/kernel.ts';
import { InputError } from '../scenario/load.ts';
import { SvmSystem } from '../system/system.ts';
import { checkOne } from './check.ts';
import type { GuardMessage, GuardTask } from './guard.ts';
import { parseModelScenario } from './input.ts';
import { resolvePolicy } from './policy.ts';

const task = workerData as GuardTask;
const post = (m: GuardMessage) => parentPort!.postMessage(m);
const at = new Int32Array(task.at);
const stop = new Int32Array(task.stop);

try {
  const sc = parseModelScenario(task.text, task.source);
  const policy = await resolvePolicy(task.policyArg);
  const sys = new SvmSystem(sc, policy);
  post({
    type: 'routines',
    names: sys.kernel.routines.all.map((r) => ({ name: r.name, labels: [...r.labels] })),
  });
  sys.kernel.onStep = (_r, pc, id) => {
    at[0] = id;
    at[1] = pc;
  };
  const out = await checkOne(
    sc,
    policy,
    { ...task.options, shouldStop: () => Atomics.load(stop, 0) !== 0 },
    (p) => post({ type: 'progress', progress: p }),
    task.policyArg,
    sys,
  );
  post({ type: 'done', result: out.result, trace: out.trace });
} catch (e) {
  if (e instanceof StepError)
    post({ type: 'step-error', routine: e.routine, step: e.step, message: e.message });
  else if (e instanceof InputError)
    post({ type: 'input-error', file: e.file, line: e.line, col: e.col, field: e.field, message: e.message });
  else post({ type: 'internal', message: (e as Error).stack ?? String(e) });
}
