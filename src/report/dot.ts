/**
 * Graphviz DOT of what the checker saw: the reachable state graph of a small configuration
 * (`svmsim check --dump-dot`), or one trace alone (`svmsim replay --dump-dot`). A state is labelled
 * by what changed on the way in (from the state BFS first reached it from), an edge by the actor and
 * where it was; violating states are filled, red for a violation on the way (use after free,
 * refcount misuse, disturbance), orange for one at the end (leak, deadlock).
 */
import type { StateGraph, Transition } from '../check/index.ts';
import { violationKind } from '../properties/violations.ts';
import type { SvmSystem } from '../system/system.ts';
import { describeMove, diffStates, type StepView } from './describe.ts';
import { foldChanges } from './text.ts';

/** Lines of changes shown in a state's label; the rest are counted. */
const MAX_LINES = 8;

const quote = (lines: readonly string[]): string =>
  `"${lines.map((l) => l.replace(/\\/g, '\\\\').replace(/"/g, '\\"')).join('\\l')}\\l"`;

function stateLabel(changes: string[]): string[] {
  if (changes.length <= MAX_LINES) return changes;
  return [...changes.slice(0, MAX_LINES - 1), `… ${changes.length - MAX_LINES + 1} more`];
}

/** An edge: the actor, then where it was and the first thing it did, cut to a readable width. */
function moveLabel(v: StepView): string[] {
  const what = [v.at, ...v.notes.slice(0, 1)].filter(Boolean).join(' → ');
  return [v.actorName, what.length > 60 ? `${what.slice(0, 59)}…` : what];
}

function violationAttrs(code: number, atEnd: boolean): { fill: string; line: string } {
  const kind = violationKind[code] ?? `violation ${code}`;
  return { fill: atEnd ? 'orange' : 'red', line: `violation: ${kind}` };
}

const HEADER = [
  'digraph svmsim {',
  '  node [shape=box, fontname="monospace", fontsize=10];',
  '  edge [fontname="monospace", fontsize=9];',
];

/** The state graph, with the moves of `trace` (a counterexample) drawn bold. */
export function stateGraphDot(sys: SvmSystem, g: StateGraph, trace: readonly Transition[] = []): string {
  const out = [
    ...HEADER,
    `  label=${quote([`${sys.scenario.name} under ${sys.policy.name}: ${g.states.length} states, ${g.edges.length} transitions${g.truncated ? ` (cut at ${g.states.length} states: the graph is incomplete)` : ''}`])}; labelloc=t;`,
  ];
  g.states.forEach((s, i) => {
    const lines =
      i === 0 ? ['initial state'] : stateLabel(foldChanges(diffStates(sys, g.states[g.parent[i]], s)));
    if (g.violation[i]) {
      const v = violationAttrs(g.violation[i], g.quiescent[i] === 1);
      out.push(`  s${i} [label=${quote([v.line, ...lines])}, style=filled, fillcolor=${v.fill}];`);
    } else out.push(`  s${i} [label=${quote(lines)}];`);
  });
  const onTrace = new Set<string>();
  let at = 0;
  for (const t of trace) {
    const e = g.edges.find((x) => x.from === at && x.move.actor === t.actor && x.move.choice === t.choice);
    if (!e) break;
    onTrace.add(`${e.from} ${e.to} ${t.actor} ${t.choice}`);
    at = e.to;
  }
  for (const e of g.edges) {
    const label = quote(moveLabel(describeMove(sys, g.states[e.from], e.move.actor, e.move.choice, 0)));
    const bold = onTrace.has(`${e.from} ${e.to} ${e.move.actor} ${e.move.choice}`)
      ? ', color=red, penwidth=2'
      : '';
    out.push(`  s${e.from} -> s${e.to} [label=${label}${bold}];`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}

/** One trace alone, as a chain of states: each labelled by what its step changed. */
export function traceDot(
  sys: SvmSystem,
  trace: readonly Transition[],
  end: { code: number; atEnd: boolean } | null,
): string {
  const out = [
    ...HEADER,
    `  label=${quote([`${sys.scenario.name} under ${sys.policy.name}: ${trace.length} steps`])}; labelloc=t;`,
    `  s0 [label=${quote(['initial state'])}];`,
  ];
  let s = new Int32Array(sys.stateWords);
  sys.init(s);
  trace.forEach((t, i) => {
    const view = describeMove(sys, s, t.actor, t.choice, i + 1);
    const next = new Int32Array(sys.stateWords);
    if (!sys.step(s, t.actor, t.choice, next))
      throw new Error(`step ${i + 1}: ${view.actorName} cannot move`);
    const lines = stateLabel(foldChanges(view.changes));
    if (i === trace.length - 1 && end) {
      const v = violationAttrs(end.code, end.atEnd);
      out.push(`  s${i + 1} [label=${quote([v.line, ...lines])}, style=filled, fillcolor=${v.fill}];`);
    } else out.push(`  s${i + 1} [label=${quote(lines)}];`);
    const [actor, what] = moveLabel(view);
    out.push(`  s${i} -> s${i + 1} [label=${quote([`${i + 1} ${actor}`, what])}];`);
    s = next;
  });
  out.push('}');
  return `${out.join('\n')}\n`;
}
