/**
 * `npm run bench`: svmsim against SPIN, in two tables.
 *
 *   Engine  the classic models (src/check/examples and bench/promela/), same states and atomicity
 *           in both tools: state-count agreement, time, states/s, bytes per state, peak RSS.
 *   Domain  svmsim's SVM model against the reference abstraction bench/promela/svm.pml on the same
 *           P x D x F, MMAP and policy: verdicts, state counts, time.
 *
 *   npx tsx bench/run.ts [--quick] [--runs N] [--timeout S] [--only engine|domain] [--out FILE]
 *
 * Writes bench/results.json (with --quick, bench/build/results.quick.json); with --only, the other
 * table is kept from the file it replaces (`carriedOver` says so). bench/README.md says
 * how to read the ratios. Exits 1 when the engine's state counts disagree: a harness bug, since the
 * two sides of a classic model must store the same states.
 */

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { classicFamilies } from './classic.ts';
import { type DomainRow, measureDomain } from './domain.ts';
import { type EngineRow, measureEngine } from './engine.ts';
import { describeMachine, recordEndLoad } from './machine.ts';
import { formatReport, type Results } from './report.ts';
import { ensureSpin, GCC_FLAGS, PAN_FLAGS } from './spin.ts';
import { domainRuns } from './svm-configs.ts';

const here = dirname(fileURLToPath(import.meta.url));

interface Options {
  quick: boolean;
  runs: number;
  timeout: number;
  only: 'engine' | 'domain' | null;
  out: string;
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      runs: { type: 'string' },
      timeout: { type: 'string', default: '120' },
      only: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const positive = (name: string, text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, not '${text}'`);
    return n;
  };
  if (values.only !== undefined && values.only !== 'engine' && values.only !== 'domain') {
    throw new Error(`--only must be 'engine' or 'domain', not '${values.only}'`);
  }
  return {
    quick: values.quick,
    // The quick subset is a smoke test of the harness: one run per row unless asked for more.
    runs: positive('runs', values.runs ?? (values.quick ? '1' : '3')),
    timeout: positive('timeout', values.timeout),
    only: (values.only as Options['only']) ?? null,
    out: values.out ?? join(here, values.quick ? 'build/results.quick.json' : 'results.json'),
  };
}

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/**
 * With --only, the table not measured is kept from the file being replaced (when it has one), so
 * that results.json always holds both; `carriedOver` says which, and under which machine reading.
 */
function carryOver(
  file: string,
  table: 'engine' | 'domain',
): { table: 'engine' | 'domain'; rows: EngineRow[] | DomainRow[]; machine: Results['machine'] } | null {
  if (!existsSync(file)) return null;
  const previous = JSON.parse(readFileSync(file, 'utf8')) as Results;
  const rows = previous[table];
  if (!Array.isArray(rows) || rows.length === 0) return null;
  const machine = previous.carriedOver?.table === table ? previous.carriedOver.machine : previous.machine;
  log(`bench: the ${table} table is carried over from ${file} (measured ${machine.date})`);
  return { table, rows, machine };
}

async function main(): Promise<number> {
  const o = options(process.argv.slice(2));
  const spin = ensureSpin();
  const machine = describeMachine(spin);
  const buildDir = join(here, 'build', 'pan');
  rmSync(buildDir, { recursive: true, force: true });
  mkdirSync(buildDir, { recursive: true });
  log(`bench: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGB} GB; node ${machine.node}; ${spin}`);
  log(`bench: ${o.quick ? 'quick subset, ' : ''}${o.runs} run(s) per row, cap ${o.timeout} s per run`);

  const engine: EngineRow[] = [];
  if (o.only !== 'domain') {
    const promelaDir = join(here, 'promela');
    for (const family of classicFamilies) {
      for (const size of family.sizes) {
        if (o.quick && !size.quick) continue;
        engine.push(...measureEngine(family, size.params, { ...o, buildDir, promelaDir, log }));
      }
    }
  }
  const domain: DomainRow[] = [];
  if (o.only !== 'engine') {
    const svmPml = join(here, 'promela', 'svm.pml');
    for (const run of domainRuns) {
      if (o.quick && !run.quick) continue;
      domain.push(measureDomain(run, { ...o, buildDir, svmPml, log }));
    }
  }

  recordEndLoad(machine);
  const carried = o.only === null ? null : carryOver(o.out, o.only === 'engine' ? 'domain' : 'engine');
  const results: Results = {
    machine,
    options: {
      quick: o.quick,
      runs: o.runs,
      timeoutSeconds: o.timeout,
      gcc: GCC_FLAGS.join(' '),
      gccReductionsOff: '-DNOREDUCE',
      pan: PAN_FLAGS.join(' '),
      svmsim: "explore(model, { order: 'dfs', maxSeconds: timeout }) in a child process per run",
      svmsimReductionsOn: 'por: true',
    },
    engine: carried?.table === 'engine' ? carried.rows : engine,
    domain: carried?.table === 'domain' ? carried.rows : domain,
    ...(carried ? { carriedOver: { table: carried.table, machine: carried.machine } } : {}),
  } as Results;
  process.stdout.write(formatReport(results));
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\nwrote ${relative(process.cwd(), o.out)}\n`);
  return engine.some((r) => r.statesAgree === false) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  },
);
