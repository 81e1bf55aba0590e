/**
 * `npm run fuzz -- [--runs N] [--traces N] [--policies N] [--differential N] [--seed S]`: the
 * fuzzing properties of fuzz.ts, long. Each count runs that property (none given: every one with
 * 1000 runs). Prints what ran and what it found; exit 1 on any failure.
 */
import { parseArgs } from 'node:util';
import { type FuzzReport, fuzzDifferential, fuzzPolicies, fuzzScenarios, fuzzTraces } from './fuzz.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    traces: { type: 'string' },
    policies: { type: 'string' },
    differential: { type: 'string' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    'workers-every': { type: 'string', default: '1' },
  },
});
const seed = Number(values.seed);
const any = values.runs ?? values.traces ?? values.policies ?? values.differential;
const count = (v: string | undefined) => (v === undefined ? (any ? 0 : 1000) : Number(v));
const log = (line: string) => process.stderr.write(`${line}\n`);

const jobs: [string, number, (n: number) => Promise<FuzzReport>][] = [
  ['scenarios', count(values.runs), (runs) => fuzzScenarios({ runs, seed, log })],
  ['traces', count(values.traces), (runs) => fuzzTraces({ runs, seed, log })],
  ['policies', count(values.policies), (runs) => fuzzPolicies({ runs, seed, log })],
  [
    'differential',
    count(values.differential),
    (runs) => fuzzDifferential({ runs, seed, log, workersEvery: Number(values['workers-every']) }),
  ],
];
let failed = 0;
for (const [name, n, run] of jobs) {
  if (!n) continue;
  log(`${name}: ${n} runs, seed ${seed}`);
  const r = await run(n);
  failed += r.failures.length;
  const exits = Object.entries(r.exits)
    .map(([code, k]) => `exit ${code}: ${k}`)
    .join(', ');
  const by = Object.entries(r.skippedBy ?? {})
    .map(([why, k]) => `${why}: ${k}`)
    .join('; ');
  const compared =
    r.compared === undefined
      ? ''
      : `, ${r.compared} compared, ${r.skipped} over budget${by ? ` (${by})` : ''}`;
  process.stdout.write(
    `${name}: ${r.runs} runs in ${r.seconds.toFixed(0)} s, seed ${seed}: ${exits}${compared}; ${r.failures.length} failures\n`,
  );
  for (const f of r.failures.slice(0, 5)) process.stdout.write(`  ${f.replace(/\n/g, '\n    ')}\n`);
}
process.exitCode = failed ? 1 : 0;
