/**
 * Trace files: a versioned JSON record of one run or counterexample, enough to reproduce it
 * exactly (modelled on the ITF format of Apalache and Quint: meta first, then the steps). Each step
 * names its actor and choice; the states are not stored, since replay recomputes them and checks
 * that every recorded step still happens.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { StepView, ViolationView } from '../report/describe.ts';
import { InputError } from '../scenario/load.ts';
import type { Scenario } from '../scenario/types.ts';
import { VERSION } from './version.ts';

export const TRACE_FORMAT = 'svmsim-trace';
export const TRACE_FORMAT_VERSION = 1;

export interface TraceFile {
  '#meta': {
    format: typeof TRACE_FORMAT;
    formatVersion: number;
    svmsim: string;
    command: 'run' | 'check';
    scenario: { name: string; source: string; sha256: string; text: string };
    policy: string;
    seed?: number;
    created: string;
  };
  steps: { actor: string; choice: number; text: string }[];
  violation: ViolationView | null;
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export function makeTraceFile(
  command: 'run' | 'check',
  sc: Scenario,
  policy: string,
  steps: readonly StepView[],
  violation: ViolationView | null,
  seed?: number,
): TraceFile {
  return {
    '#meta': {
      format: TRACE_FORMAT,
      formatVersion: TRACE_FORMAT_VERSION,
      svmsim: VERSION,
      command,
      scenario: { name: sc.name, source: sc.source, sha256: sha256(sc.text), text: sc.text },
      policy,
      ...(seed === undefined ? {} : { seed }),
      created: new Date().toISOString(),
    },
    steps: steps.map((s) => ({
      actor: s.actorName,
      choice: s.choice,
      text: [s.at, ...s.notes].filter(Boolean).join(' → '),
    })),
    violation,
  };
}

export function readTraceFile(file: string): TraceFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(file, 0, 0, '', `not a readable JSON trace file: ${(e as Error).message}`);
  }
  const t = raw as Partial<TraceFile>;
  const meta = t?.['#meta'];
  if (!meta || meta.format !== TRACE_FORMAT)
    throw new InputError(
      file,
      0,
      0,
      '#meta.format',
      `not an svmsim trace file (expected format '${TRACE_FORMAT}')`,
    );
  if (meta.formatVersion !== TRACE_FORMAT_VERSION)
    throw new InputError(
      file,
      0,
      0,
      '#meta.formatVersion',
      `trace format version ${meta.formatVersion} was written by svmsim ${meta.svmsim}; this svmsim ${VERSION} reads version ${TRACE_FORMAT_VERSION}`,
    );
  if (!Array.isArray(t.steps)) throw new InputError(file, 0, 0, 'steps', 'expected an array of steps');
  return t as TraceFile;
}
