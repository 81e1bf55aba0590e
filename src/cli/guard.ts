/**
 * Running a user's policy so that it cannot hang svmsim: its steps are the user's code, and a step
 * that never returns would keep the thread that runs it from ever seeing Ctrl-C or the clock. So
 * `check`, `simulate`, `run` and `replay` with a policy module run their work (a GuardJob) in a
 * worker thread (guard-worker.ts); --swarm and --workers start their search threads from there.
 * This thread keeps the time and the signals: it asks the job to stop (a shared word its searches
 * poll), and when a step keeps the job from stopping within GRACE_MS, terminates the worker (its
 * own threads end with it) and names the step, read from the step watch (stepwatch.ts) that every
 * thread running the policy writes before each step. What the job had reported is kept: the
 * caller reports the job as incomplete, stopped by the limit or by Ctrl-C, with the step named.
 */
import { Worker } from 'node:worker_threads';
import {
  type Progress,
  type SimulationProgress,
  type SimulationResult,
  workerModule,
} from '../check/index.ts';
import type { SimulateOptions } from '../check/search/simulate.ts';
import { findPolicy } from '../drivers/iommu/intel/policies/index.ts';
import { InputError } from '../scenario/load.ts';
import type { Schedule } from '../system/schedule.ts';
import type { CheckOptions, CheckResult } from './check.ts';
import type { Replayed } from './replay.ts';
import { newStepWatch, StepWatchReader } from './stepwatch.ts';

/** How long a job asked to stop may take before it is terminated as hung, when a step has not returned since. */
export const GRACE_MS = 500;
/** How long it may take when no step is to blame (it is ended all the same, naming none). */
const HARD_MS = 5000;
/** The stop word's values: Ctrl-C, which the job's searches poll, and the deadline, which they keep themselves. */
export const STOP_INTERRUPTED = 1;
const STOP_DEADLINE = 2;

export type GuardedCheckOptions = Omit<CheckOptions, 'policies' | 'shouldStop' | 'policyArgs' | 'stepWatch'>;
export type GuardedSimulateOptions = Omit<SimulateOptions, 'shouldStop' | 'onProgress'>;

/** What the worker runs, on the scenario's text (or the trace file) and the policy module. */
export type GuardJob =
  | { kind: 'check'; text: string; source: string; options: GuardedCheckOptions }
  | { kind: 'simulate'; text: string; source: string; options: GuardedSimulateOptions }
  | { kind: 'run'; text: string; source: string; seed?: number }
  | { kind: 'replay'; file: string; dumpDot: boolean };

/** What each job gives back (the caller rebuilds the system from the scenario to describe it). */
export interface GuardValues {
  check: { result: CheckResult; trace: import('../check/index.ts').Transition[] };
  simulate: SimulationResult;
  run: Schedule;
  replay: { replayed: Replayed; dot?: string };
}

export interface GuardTask {
  job: GuardJob;
  policyArg: string;
  /** The step watch (stepwatch.ts). */
  watch: SharedArrayBuffer;
  /** Int32Array(1): STOP_INTERRUPTED asks the job to stop; 2, the deadline, only says it has passed. */
  stop: SharedArrayBuffer;
}

export type GuardMessage =
  | { type: 'progress'; progress: Progress | SimulationProgress }
  | { type: 'done'; value: unknown }
  | { type: 'step-error'; message: string }
  | { type: 'input-error'; file: string; line: number; col: number; field: string; message: string }
  | { type: 'internal'; message: string };

/** A job that did not stop: the steps that did not return, and why it was asked to stop. */
export interface Hung {
  reason: 'max-seconds' | 'stopped';
  /** `step 'next_request' of prq_event_thread`, one per step found running (usually one). */
  steps: string[];
  /** The whole story, for stderr. */
  message: string;
  /** The job's last progress report, when it sent one. */
  progress?: Progress | SimulationProgress;
  /** From the start of the job to its end. */
  seconds: number;
}

export type Guarded<K extends GuardJob['kind']> = { done: GuardValues[K] } | { hung: Hung };

/**
 * Runs `job` under the policy module `policyArg` in a worker thread. `interrupted` is polled: when
 * it turns true, or `maxSeconds` pass, the job is asked to stop and keeps what it found; when it
 * does not stop within GRACE_MS, it is ended and the result says which step did not return.
 */
export function guarded<J extends GuardJob>(
  job: J,
  policyArg: string,
  o: {
    maxSeconds?: number;
    interrupted: () => boolean;
    onProgress?: (p: J extends { kind: 'simulate' } ? SimulationProgress : Progress) => void;
  },
): Promise<Guarded<J['kind']>> {
  const watch = newStepWatch();
  const stop = new SharedArrayBuffer(4);
  const task: GuardTask = { job, policyArg, watch, stop };
  const worker = new Worker(workerModule(import.meta.url, './guard-boot.mjs', './guard-worker.js'), {
    workerData: task,
  });
  const started = Date.now();
  const steps = new StepWatchReader(watch);
  let askedAt = 0;
  let progress: Hung['progress'];
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      f();
    };
    const timer = setInterval(() => {
      // The job's searches keep --max-seconds themselves, from a little later (its start-up).
      steps.sample();
      const late = o.maxSeconds !== undefined && Date.now() - started > o.maxSeconds * 1000;
      if (!askedAt && (o.interrupted() || late)) {
        askedAt = Date.now();
        Atomics.store(new Int32Array(stop), 0, o.interrupted() ? STOP_INTERRUPTED : STOP_DEADLINE);
      }
      if (!askedAt) return;
      // Ctrl-C after the deadline: the job is asked now.
      if (o.interrupted()) Atomics.store(new Int32Array(stop), 0, STOP_INTERRUPTED);
      const waited = Date.now() - askedAt;
      const stuck = waited > GRACE_MS ? steps.stuck(GRACE_MS) : [];
      if (stuck.length > 0 || waited > HARD_MS) {
        const stopped = o.interrupted();
        const why = stopped ? 'interrupted (Ctrl-C)' : `stopped at --max-seconds ${o.maxSeconds}`;
        const where = stuck.length ? stuck.join(' and ') : "the policy's code";
        const message = `${where} did not return (${why}; it had not returned ${waited} ms after being asked to stop): a step must not loop, it returns Ctl.BLOCK to wait`;
        void worker.terminate();
        settle(() =>
          resolve({
            hung: {
              reason: stopped ? 'stopped' : 'max-seconds',
              steps: stuck,
              message,
              progress,
              seconds: (Date.now() - started) / 1000,
            },
          }),
        );
      }
    }, 50);
    worker.on('message', (m: GuardMessage) => {
      if (m.type === 'progress') {
        progress = m.progress;
        o.onProgress?.(m.progress as never);
      } else if (m.type === 'done') settle(() => resolve({ done: m.value as GuardValues[J['kind']] }));
      else if (m.type === 'step-error')
        settle(() => reject(new InputError(policyArg, 0, 0, '--policy', `policy ${m.message}`)));
      else if (m.type === 'input-error')
        settle(() => reject(new InputError(m.file, m.line, m.col, m.field, m.message)));
      else settle(() => reject(new Error(m.message)));
    });
    worker.on('error', (e) => settle(() => reject(e)));
    worker.on('exit', () => settle(() => reject(new Error('the guarded worker exited without a result'))));
  });
}

/** Whether a policy argument names a module of the user's (whose steps are guarded), not a built-in. */
export const isUserPolicy = (policyArg: string | undefined): policyArg is string =>
  policyArg !== undefined && !findPolicy(policyArg);

/** guarded() for a command that has no Ctrl-C handling of its own (run, replay): Ctrl-C asks the job to stop. */
export async function guardedUntilCtrlC<J extends GuardJob>(
  job: J,
  policyArg: string,
): Promise<Guarded<J['kind']>> {
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  try {
    return await guarded(job, policyArg, { interrupted: () => interrupted });
  } finally {
    process.off('SIGINT', onSigint);
  }
}
