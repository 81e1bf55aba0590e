/**
 * `svmsim simulate [scenario...] [--policy P...] --seed N --samples K --max-steps M`: random
 * executions, for configurations `check` cannot finish. Every property is checked on the way, as
 * `check` checks it; the first violation's trace is shortened (check/search/simulate.ts) and
 * printed as `check` prints one. Silence says only that the samples drawn showed nothing.
 */
import { writeFileSync } from 'node:fs';
import { type SimulationProgress, type SimulationResult, simulate } from '../check/index.ts';
import type { SvmPolicy } from '../drivers/iommu/intel/svm.ts';
import { describeViolation, type StepView, type ViolationView } from '../report/describe.ts';
import { renderHtml } from '../report/html/render.ts';
import { reportData } from '../report/snapshot.ts';
import { colorsFor, formatSteps, formatTable, formatViolation, traceSteps } from '../report/text.ts';
import { SvmSystem } from '../system/system.ts';
import { progressSeconds } from './check.ts';
import { guarded, isUserPolicy } from './guard.ts';
import { loadModelScenario } from './input.ts';
import { policyIdentity } from './policy.ts';
import { makeTraceFile, writeTraceFile } from './tracefile.ts';
import { VERSION } from './version.ts';

export interface SimulateCommandOptions {
  policies: SvmPolicy[];
  /** The policy arguments as the user gave them (for the trace file). */
  policyArgs: string[];
  seed: number;
  samples: number;
  maxSteps: number;
  bias?: boolean;
  maxSeconds?: number;
  por?: boolean;
  symmetry?: boolean;
  json?: boolean;
  /** No progress on stderr. */
  quiet?: boolean;
  traceOut?: string;
  report?: string;
}

export interface SimulateCommandResult {
  scenario: string;
  policy: string;
  seed: number;
  verdict: SimulationResult['verdict'];
  incompleteReason?: string;
  /** A policy step that did not return when sampling was stopped (guard.ts): sampling was ended there. */
  stuck?: string[];
  violation: ViolationView | null;
  trace: StepView[];
  /** For a violation: the sample that found it, its own length, and how it was shortened. */
  found?: { sample: number; sampledSteps: number; shortenedBy: string };
  stats: SimulationResult['stats'];
}

let interrupted = false;

export async function simulateCommand(scenarioArgs: string[], o: SimulateCommandOptions): Promise<number> {
  const scenarios = scenarioArgs.map(loadModelScenario);
  const onSigint = () => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  const c = colorsFor(process.stdout);
  const results: SimulateCommandResult[] = [];
  let reported = false;
  try {
    for (const sc of scenarios) {
      for (const [i, policy] of o.policies.entries()) {
        const sys = new SvmSystem(sc, policy);
        const options = {
          seed: o.seed,
          samples: o.samples,
          maxSteps: o.maxSteps,
          bias: o.bias,
          maxSeconds: o.maxSeconds,
          por: o.por ?? true,
          symmetry: o.symmetry ?? true,
        };
        const shown = progress(o, `${sc.name} ${policy.name}`);
        const policyArg = o.policyArgs[i];
        let r: SimulationResult;
        let stuck: string[] | undefined;
        if (isUserPolicy(policyArg)) {
          // The user's steps run in a worker thread that Ctrl-C and --max-seconds can stop even
          // inside a step that never returns (guard.ts); its trace is described here.
          const g = await guarded(
            {
              kind: 'simulate',
              text: sc.text,
              source: sc.source,
              options: { ...options, progressIntervalMs: shown.progressIntervalMs },
            },
            policyArg,
            { maxSeconds: o.maxSeconds, interrupted: () => interrupted, onProgress: shown.onProgress },
          );
          if ('hung' in g) {
            process.stderr.write(`svmsim: ${g.hung.message}\n`);
            const p = g.hung.progress as SimulationProgress | undefined;
            stuck = g.hung.steps;
            r = {
              verdict: 'incomplete',
              incompleteReason: g.hung.reason,
              stats: {
                samples: p?.samples ?? 0,
                steps: p?.steps ?? 0,
                maxDepth: p?.depth ?? 0,
                finished: 0,
                cut: 0,
                seconds: Math.round(g.hung.seconds * 1000) / 1000,
              },
            };
          } else r = g.done;
        } else r = await simulate(sys, { ...options, shouldStop: () => interrupted, ...shown });
        const v = r.violation;
        const steps = v ? traceSteps(sys, v.trace) : null;
        const violation = v && steps ? describeViolation(sys, steps.final, v.code, v.trace) : null;
        const result: SimulateCommandResult = {
          scenario: sc.name,
          policy: policy.name,
          seed: o.seed,
          verdict: r.verdict,
          ...(r.incompleteReason ? { incompleteReason: r.incompleteReason } : {}),
          ...(stuck ? { stuck } : {}),
          violation,
          trace: steps?.steps ?? [],
          ...(v
            ? { found: { sample: v.sample, sampledSteps: v.sampledDepth, shortenedBy: v.shortenedBy } }
            : {}),
          stats: { ...r.stats, seconds: Math.round(r.stats.seconds * 1000) / 1000 },
        };
        results.push(result);
        if (v && !reported) {
          reported = true;
          const id = policyIdentity(o.policyArgs[i] ?? policy.name, policy);
          if (o.traceOut)
            writeTraceFile(o.traceOut, makeTraceFile('simulate', sys, id, v.trace, violation, o.seed));
          if (o.report)
            writeFileSync(o.report, renderHtml(reportData(sys, 'check', v.trace, violation, VERSION)));
        }
        if (!o.json) process.stdout.write(`${describe(result, o, c)}\n\n`);
        if (interrupted) break;
      }
      if (interrupted) break;
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (o.json) process.stdout.write(`${JSON.stringify({ results }, null, 1)}\n`);
  else process.stdout.write(`${table(results, c)}\n`);
  if (results.some((r) => r.verdict === 'violation')) return 1;
  if (results.some((r) => r.verdict === 'incomplete') || interrupted) return 3;
  return 0;
}

function describe(
  r: SimulateCommandResult,
  o: SimulateCommandOptions,
  c: ReturnType<typeof colorsFor>,
): string {
  const head = `${c.bold(r.scenario)} under ${c.bold(r.policy)}: `;
  const runs = `${r.stats.samples.toLocaleString('en-US')} samples of at most ${o.maxSteps} steps, seed ${r.seed}${o.bias ? ', biased to rare actors' : ''}, ${r.stats.steps.toLocaleString('en-US')} steps, ${r.stats.seconds.toFixed(2)} s`;
  if (r.verdict === 'none-found')
    return `${head}${c.green('no violation found')} (${runs}; ${r.stats.cut} cut at the step limit): not a proof, only these samples`;
  if (r.verdict === 'incomplete')
    return `${head}${c.yellow(`stopped (${r.incompleteReason})`)} after ${runs}: nothing found so far${r.stuck ? `; ended inside ${r.stuck.length ? r.stuck.join(' and ') : 'the policy'}, which did not return` : ''}`;
  const f = r.found!;
  const how =
    f.shortenedBy === 'bfs'
      ? `shortened from ${f.sampledSteps} by a bounded breadth-first search`
      : f.shortenedBy === 'cycles'
        ? `shortened from ${f.sampledSteps} by cutting cycles`
        : 'as sampled';
  return `${head}${c.red(r.violation!.kind)} in ${r.trace.length} steps, found by sample ${f.sample + 1} (${how}; ${runs})\n\n${formatSteps(r.trace, c)}\n\n${formatViolation(r.violation!, c)}`;
}

function table(results: readonly SimulateCommandResult[], c: ReturnType<typeof colorsFor>): string {
  const rows = [
    ['scenario', 'policy', 'verdict', 'violation', 'trace', 'samples', 'time'],
    ...results.map((r) => [
      r.scenario,
      r.policy,
      r.verdict === 'incomplete'
        ? `stopped (${r.incompleteReason})`
        : r.verdict === 'none-found'
          ? 'none found'
          : r.verdict,
      r.violation ? r.violation.kind : '-',
      r.violation ? `${r.trace.length} steps` : '-',
      r.stats.samples.toLocaleString('en-US'),
      `${r.stats.seconds.toFixed(2)} s`,
    ]),
  ];
  return formatTable(rows, c);
}

/**
 * Off a terminal (CI logs, pipes), a plain line on stderr every 10 s (SVMSIM_PROGRESS_SECONDS), as
 * check prints; none with --quiet. A simulation on a terminal prints none: its samples are quick.
 */
function progress(
  o: SimulateCommandOptions,
  label: string,
): { progressIntervalMs?: number; onProgress?: (p: SimulationProgress) => void } {
  if (o.quiet || process.stderr.isTTY) return {};
  const every = progressSeconds();
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return {
    progressIntervalMs: every * 1000,
    onProgress: (p: SimulationProgress) =>
      process.stderr.write(
        `svmsim: simulate ${label}: ${n(p.samples)} samples, ${n(p.steps)} steps, ${n(p.steps / Math.max(p.seconds, 1e-3))} steps/s, deepest ${p.depth}, ${n(process.memoryUsage().rss / 2 ** 20)} MiB, ${p.seconds.toFixed(0)} s\n`,
      ),
  };
}
