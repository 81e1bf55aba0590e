/**
 * The text trace: one numbered step per line, the actor, what it ran in kernel words, and under it
 * only the fields that changed, folded by object (`mm#0 mm_users 2→1, mm_count 2→3`). Colour on a
 * terminal, or with FORCE_COLOR; never with NO_COLOR.
 */
import pc from 'picocolors';
import type { Transition } from '../check/index.ts';
import type { SvmSystem } from '../system/system.ts';
import { type Change, describeMove, type StepView, type ViolationView } from './describe.ts';

export type Colors = ReturnType<typeof pc.createColors>;

/**
 * Colour as users set it: never with NO_COLOR (no-color.org: set and not empty); with FORCE_COLOR,
 * always, or never when it is 0 or false (as supports-color reads it; a CI log that shows colours,
 * say); otherwise on a terminal that is not dumb. NO_COLOR wins over FORCE_COLOR, as picocolors and chalk have it.
 */
export function colorsFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Colors {
  const force = env.FORCE_COLOR;
  const on = env.NO_COLOR
    ? false
    : force !== undefined
      ? force !== '0' && force !== 'false'
      : Boolean(stream.isTTY) && env.TERM !== 'dumb';
  return pc.createColors(on);
}

/** Replays a trace and describes every step. */
export function traceSteps(
  sys: SvmSystem,
  trace: readonly Transition[],
): { steps: StepView[]; final: Int32Array } {
  let s = new Int32Array(sys.stateWords);
  sys.init(s);
  const steps: StepView[] = [];
  trace.forEach((t, i) => {
    steps.push(describeMove(sys, s, t.actor, t.choice, i + 1));
    const next = new Int32Array(sys.stateWords);
    if (!sys.step(s, t.actor, t.choice, next))
      throw new Error(`step ${i + 1}: ${sys.actors[t.actor].name} cannot move`);
    s = next;
  });
  return { steps, final: s };
}

/** Folds changes by object: "mm#0 mm_users 2→1, mm_count 2→3". */
export function foldChanges(changes: readonly Change[]): string[] {
  const byObj = new Map<string, string[]>();
  for (const c of changes) {
    const list = byObj.get(c.obj) ?? [];
    list.push(`${c.field} ${c.from}→${c.to}`);
    byObj.set(c.obj, list);
  }
  return [...byObj].map(([obj, list]) => `${obj} ${list.join(', ')}`);
}

export function formatSteps(steps: readonly StepView[], c: Colors): string {
  const width = Math.max(4, ...steps.map((s) => s.actorName.length));
  const num = String(Math.max(0, ...steps.map((s) => s.index))).length;
  const lines: string[] = [];
  for (const s of steps) {
    const at = s.at ? `${c.dim(s.at)}${s.notes.length ? ' → ' : ''}` : '';
    lines.push(
      `${c.dim(String(s.index).padStart(num))}  ${c.cyan(s.actorName.padEnd(width))}  ${at}${s.notes.join(' → ')}`,
    );
    for (const ch of foldChanges(s.changes)) lines.push(`${' '.repeat(num + width + 4)}${c.dim(ch)}`);
  }
  return lines.join('\n');
}

/**
 * A trace, or a livelock's lasso: with `cycleStart`, the steps before it (the stem), then `cycle:` and
 * the steps from it on, which lead back to the state the cycle began in.
 */
export function formatTrace(steps: readonly StepView[], cycleStart: number | undefined, c: Colors): string {
  if (cycleStart === undefined) return formatSteps(steps, c);
  const stem = steps.slice(0, cycleStart);
  const cycle = formatSteps(steps.slice(cycleStart), c);
  return `${stem.length > 0 ? `${formatSteps(stem, c)}\n` : ''}${c.bold('cycle:')}\n${cycle}`;
}

export function formatViolation(v: ViolationView, c: Colors): string {
  const lines = [`${c.red(c.bold(`violation: ${v.kind}`))}  ${v.message}`];
  if (v.cycle) lines.push(`  cycle: ${[...v.cycle, v.cycle[0]].join(' → ')}`);
  if (v.leaked) lines.push(`  left allocated: ${v.leaked.join(', ')}`);
  if (v.refs) lines.push(`  references still held:\n${v.refs.map((r) => `    ${r}`).join('\n')}`);
  if (v.assumes)
    lines.push(
      `  assumes: ${v.assumes.join(', ')} (hardware behaviour the VT-d specification does not promise; see docs/fidelity.md)`,
    );
  return lines.join('\n');
}

/**
 * A table of text cells in aligned columns, two spaces apart: the header row bold, and in every
 * other row the verdict in column 2 coloured (verified green, violation red).
 */
export function formatTable(rows: readonly (readonly string[])[], c: Colors): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows
    .map((row, n) => {
      const line = row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd();
      if (n === 0) return c.bold(line);
      const verdict = row[2];
      return verdict === 'verified'
        ? line.replace(verdict, c.green(verdict))
        : verdict === 'violation'
          ? line.replace(verdict, c.red(verdict))
          : line;
    })
    .join('\n');
}
