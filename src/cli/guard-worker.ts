/**
 * A job on a user's policy in its own thread (guard.ts starts it through guard-boot.mjs): it builds
 * the system, makes it write each step it runs into the step watch (stepwatch.ts; the --swarm and
 * --workers threads it starts do the same through factory.ts), runs the job, and posts the result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { simulate } from '../check/index.ts';
import { StepError } from '../kernel/kernel.ts';
import { traceDot } from '../report/dot.ts';
import { InputError } from '../scenario/load.ts';
import { runSchedule } from '../system/schedule.ts';
import { SvmSystem } from '../system/system.ts';
import { checkOne } from './check.ts';
import { type GuardMessage, type GuardTask, STOP_INTERRUPTED } from './guard.ts';
import { parseModelScenario } from './input.ts';
import { resolvePolicy } from './policy.ts';
import { replay } from './replay.ts';
import { watchSteps } from './stepwatch.ts';

const task = workerData as GuardTask;
const post = (m: GuardMessage) => parentPort!.postMessage(m);
const stop = new Int32Array(task.stop);
// Only Ctrl-C: the deadline is --max-seconds, which the searches keep themselves (guard.ts).
const shouldStop = () => Atomics.load(stop, 0) === STOP_INTERRUPTED;
const progress = (p: unknown) => post({ type: 'progress', progress: p as never });

async function run(): Promise<unknown> {
  const job = task.job;
  if (job.kind === 'replay') {
    const r = await replay(job.file, { policy: task.policyArg }, (sys) => watchSteps(task.watch, sys));
    return {
      replayed: r.replayed,
      ...(job.dumpDot
        ? { dot: traceDot(r.sys, r.trace, r.code ? { code: r.code, atEnd: r.atEnd } : null) }
        : {}),
    };
  }
  const sc = parseModelScenario(job.text, job.source);
  const policy = await resolvePolicy(task.policyArg);
  const sys = new SvmSystem(sc, policy);
  watchSteps(task.watch, sys);
  if (job.kind === 'run') return runSchedule(sys, job.seed);
  if (job.kind === 'simulate') return simulate(sys, { ...job.options, shouldStop, onProgress: progress });
  const out = await checkOne(
    sc,
    policy,
    { ...job.options, shouldStop, stepWatch: task.watch },
    progress,
    task.policyArg,
    sys,
  );
  return { result: out.result, trace: out.trace };
}

try {
  post({ type: 'done', value: await run() });
} catch (e) {
  if (e instanceof StepError) post({ type: 'step-error', message: e.message });
  else if (e instanceof InputError)
    post({ type: 'input-error', file: e.file, line: e.line, col: e.col, field: e.field, message: e.message });
  else post({ type: 'internal', message: (e as Error).stack ?? String(e) });
}
