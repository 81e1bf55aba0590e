/**
 * Trace files, in the Informal Trace Format (ITF, Apalache ADR-015) that Apalache and Quint write
 * and read: `vars`, then `states`, each state a value per variable (report/itf.ts). What svmsim
 * needs to re-execute the trace rides in the trace's `#meta.svmsim`, svmsim's own extension: the
 * scenario's text and both sha256s, the policy (and its file, for a user's policy), the seed, and
 * each step as actor, choice and the text the step printed. `svmsim replay` re-executes those steps
 * and checks each state against the recorded one.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Transition } from '../check/index.ts';
import { describeMove, type ViolationView } from '../report/describe.ts';
import { ITF_VARS, type ItfState, itfState } from '../report/itf.ts';
import { InputError } from '../scenario/load.ts';
import type { SvmSystem } from '../system/system.ts';
import { TraceFileSchema } from './traceschema.ts';
import { VERSION } from './version.ts';

export const TRACE_FORMAT = 'svmsim-trace';
/** Version 1 was svmsim's own JSON (steps only); version 2 is ITF with svmsim's extension in #meta. */
export const TRACE_FORMAT_VERSION = 2;
/** ADR-015: "the files in this format should end with the extension .itf.json". */
export const TRACE_EXTENSION = '.itf.json';
export const ITF_SPEC = 'https://apalache-mc.org/docs/adr/015adr-trace.html';

/** Which policy a trace was written under: a built-in by name, or a user's module by its file. */
export interface PolicyIdentity {
  name: string;
  /**
   * For a user's policy, the sha256 of its file; for a built-in, of its four step lists (each
   * step's name and source text), so that a trace says when the built-in it names has changed.
   */
  sha256: string;
  /** A user's policy: the path to its module, as given on the command line. */
  path?: string;
}

export interface TraceStep {
  /** The actor's name, as in the scenario (proc0, accel0, kworker/u:delayed_fput). */
  actor: string;
  /** Which of the actor's nondeterministic choices it took (0 for most moves). */
  choice: number;
  /** What the step printed: where the actor was, and what it did, in kernel words. */
  text: string;
}

/** svmsim's extension of ITF's #meta: what re-executing the trace needs. */
export interface SvmsimMeta {
  format: typeof TRACE_FORMAT;
  formatVersion: typeof TRACE_FORMAT_VERSION;
  /** The svmsim version that wrote the trace. */
  version: string;
  command: 'run' | 'check' | 'simulate';
  scenario: { name: string; source: string; sha256: string; text: string };
  policy: PolicyIdentity;
  /** The seed of a random run (run --seed, simulate --seed). */
  seed?: number;
  /** Steps in the trace: states has one more (the initial state). */
  stepCount: number;
  steps: TraceStep[];
  violation: ViolationView | null;
}

export interface TraceFile {
  '#meta': {
    format: 'ITF';
    'format-description': string;
    source: string;
    description: string;
    timestamp: number;
    svmsim: SvmsimMeta;
  };
  vars: string[];
  states: ItfState[];
  /** A livelock's lasso: the state its cycle starts in (violation.cycleStart); the last state is that state again. */
  loop?: number;
}

export const sha256 = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

/** Re-executes `trace` on `sys` and records every step and every state on the way. */
export function makeTraceFile(
  command: SvmsimMeta['command'],
  sys: SvmSystem,
  policy: PolicyIdentity,
  trace: readonly Transition[],
  violation: ViolationView | null,
  seed?: number,
): TraceFile {
  const sc = sys.scenario;
  let s = new Int32Array(sys.stateWords);
  sys.init(s);
  const states = [itfState(sys, s, 0, { actor: '', choice: -1, text: 'initial state' })];
  const steps: TraceStep[] = [];
  trace.forEach((t, i) => {
    const view = describeMove(sys, s, t.actor, t.choice, i + 1);
    const step = { actor: view.actorName, choice: t.choice, text: stepText(view) };
    const next = new Int32Array(sys.stateWords);
    if (!sys.step(s, t.actor, t.choice, next))
      throw new Error(`step ${i + 1}: ${step.actor} cannot take choice ${t.choice}`);
    s = next;
    steps.push(step);
    states.push(itfState(sys, s, i + 1, step));
  });
  const verdict = violation
    ? `${violation.kind} in ${steps.length} steps`
    : `${steps.length} steps, no violation`;
  return {
    '#meta': {
      format: 'ITF',
      'format-description': ITF_SPEC,
      source: sc.source,
      description: `svmsim ${command}: ${sc.name} under ${policy.name}, ${verdict}`,
      timestamp: Date.now(),
      svmsim: {
        format: TRACE_FORMAT,
        formatVersion: TRACE_FORMAT_VERSION,
        version: VERSION,
        command,
        scenario: { name: sc.name, source: sc.source, sha256: sha256(sc.text), text: sc.text },
        policy,
        ...(seed === undefined ? {} : { seed }),
        stepCount: steps.length,
        steps,
        violation,
      },
    },
    vars: [...ITF_VARS],
    states,
    ...(violation?.cycleStart === undefined ? {} : { loop: violation.cycleStart }),
  };
}

/** A step as one line: where the actor was, then what it did. */
export const stepText = (v: { at: string; notes: readonly string[] }): string =>
  [v.at, ...v.notes].filter(Boolean).join(' → ');

/** Where a trace is written: the name given, with `.itf.json` added when it has no extension. */
export const tracePath = (file: string): string => (extname(file) ? file : `${file}${TRACE_EXTENSION}`);

/** Writes `t` to `file` (see tracePath) and returns the path written. */
export function writeTraceFile(file: string, t: TraceFile): string {
  const path = tracePath(file);
  writeFileSync(path, `${JSON.stringify(t, null, 1)}\n`);
  return path;
}

/**
 * Reads a trace file and checks what replay needs to find in it. (The shape of the steps and
 * states is checked as replay meets them.)
 */
export function readTraceFile(file: string): TraceFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(file, 0, 0, '', `not a readable JSON trace file: ${(e as Error).message}`);
  }
  const meta = (raw as { '#meta'?: Record<string, unknown> } | null)?.['#meta'];
  const ours = meta?.svmsim as Partial<SvmsimMeta> | undefined;
  if (meta?.format === TRACE_FORMAT)
    throw new InputError(
      file,
      0,
      0,
      '#meta.format',
      `trace format version ${String(meta.formatVersion)} (svmsim's own JSON, before ITF) was written by svmsim ${String(meta.svmsim)}; this svmsim ${VERSION} reads ITF traces (version ${TRACE_FORMAT_VERSION}): write the trace again with --trace-out`,
    );
  if (ours && ours.format === TRACE_FORMAT && ours.formatVersion !== TRACE_FORMAT_VERSION)
    throw new InputError(
      file,
      0,
      0,
      '#meta.svmsim.formatVersion',
      `trace format version ${ours.formatVersion} was written by svmsim ${ours.version}; this svmsim ${VERSION} reads version ${TRACE_FORMAT_VERSION}`,
    );
  const parsed = TraceFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.map(String).join('.');
    const hint =
      path.startsWith('#meta.svmsim') && !ours
        ? 'not an svmsim trace: an ITF trace that svmsim can replay carries #meta.svmsim (written by svmsim --trace-out)'
        : issue.message;
    throw new InputError(file, 0, 0, path, hint);
  }
  return parsed.data as unknown as TraceFile;
}
