/**
 * Checking a user's policy so that it cannot hang svmsim: its steps are the user's code, and a
 * step that never returns would keep the thread that runs it from ever seeing Ctrl-C or the
 * clock. The search runs in a worker thread; the main thread keeps the time and the signals,
 * asks the worker to stop, and, when a step keeps it from stopping within GRACE_MS, terminates
 * it and names the step it was in (the worker writes each step's routine and pc to shared memory
 * before running it).
 */
import { Worker } from 'node:worker_threads';
import { type Progress, type Transition, workerModule } from '../check/index.ts';
import { InputError } from '../scenario/load.ts';
import type { Scenario } from '../scenario/types.ts';
import type { CheckOptions, CheckResult } from './check.ts';

/** How long a worker asked to stop may take before it is terminated as hung. */
export const GRACE_MS = 500;

type GuardedOptions = Omit<CheckOptions, 'policies' | 'shouldStop' | 'policyArgs'>;

export interface GuardTask {
  text: string;
  source: string;
  policyArg: string;
  options: GuardedOptions;
  /** Int32Array(2): the routine id and pc of the step the worker runs. */
  at: SharedArrayBuffer;
  /** Int32Array(1): set to ask the search to stop. */
  stop: SharedArrayBuffer;
}

export type GuardMessage =
  | { type: 'routines'; names: { name: string; labels: string[] }[] }
  | { type: 'progress'; progress: Progress }
  | { type: 'done'; result: CheckResult; trace: Transition[] }
  | { type: 'step-error'; routine: string; step: string; message: string }
  | { type: 'input-error'; file: string; line: number; col: number; field: string; message: string }
  | { type: 'internal'; message: string };

/** A policy step that never returned: the policy's error, named. */
export class HungStepError extends InputError {}

/**
 * Checks `sc` under the policy module `policyArg` in a worker thread. `interrupted` is polled:
 * when it turns true, or `maxSeconds` pass, the search is asked to stop and keeps what it found.
 */
export function guardedCheck(
  sc: Scenario,
  policyArg: string,
  o: GuardedOptions,
  interrupted: () => boolean,
  onProgress?: (p: Progress) => void,
): Promise<{ result: CheckResult; trace: Transition[] }> {
  const at = new SharedArrayBuffer(8);
  const stop = new SharedArrayBuffer(4);
  const task: GuardTask = { text: sc.text, source: sc.source, policyArg, options: o, at, stop };
  const worker = new Worker(workerModule(import.meta.url, './guard-boot.mjs', './guard-worker.js'), {
    workerData: task,
  });
  const started = Date.now();
  let names: { name: string; labels: string[] }[] = [];
  let askedAt = 0;
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      f();
    };
    const timer = setInterval(() => {
      const late = o.maxSeconds !== undefined && Date.now() - started > o.maxSeconds * 1000;
      if (!askedAt && (interrupted() || late)) {
        askedAt = Date.now();
        Atomics.store(new Int32Array(stop), 0, 1);
      }
      if (askedAt && Date.now() - askedAt > GRACE_MS) {
        const [id, pc] = new Int32Array(at);
        const r = names[id - 1];
        const why = interrupted() ? 'interrupted (Ctrl-C)' : `stopped at --max-seconds ${o.maxSeconds}`;
        const where = r ? `step '${r.labels[pc] ?? `+${pc}`}' of ${r.name}` : 'a step';
        settle(() =>
          reject(
            new HungStepError(
              policyArg,
              0,
              0,
              '--policy',
              `${where} did not return (${why}; it ran for more than ${GRACE_MS} ms after the search was asked to stop): a step must not loop, it returns Ctl.BLOCK to wait`,
            ),
          ),
        );
        void worker.terminate();
      }
    }, 50);
    worker.on('message', (m: GuardMessage) => {
      if (m.type === 'routines') names = m.names;
      else if (m.type === 'progress') onProgress?.(m.progress);
      else if (m.type === 'done') settle(() => resolve({ result: m.result, trace: m.trace }));
      else if (m.type === 'step-error')
        settle(() => reject(new InputError(policyArg, 0, 0, '--policy', `policy ${m.message}`)));
      else if (m.type === 'input-error')
        settle(() => reject(new InputError(m.file, m.line, m.col, m.field, m.message)));
      else settle(() => reject(new Error(m.message)));
    });
    worker.on('error', (e) => settle(() => reject(e)));
    worker.on('exit', () => settle(() => reject(new Error('the check worker exited without a result'))));
  });
}
