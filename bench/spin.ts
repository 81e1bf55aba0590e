/**
 * SPIN's side of the bench: installing it on a clean machine, generating and compiling pan for a
 * Promela model and its -D macros, running pan under a time cap and reading its report.
 *
 * pan is compiled the same way for every row: `gcc -O2 -DSAFETY -DMEMLIM=16384`, with -DNOREDUCE
 * for "reductions off" (where svmsim runs without its reductions too) and without it for "on".
 * It runs as `pan -m100000 -w24`: a DFS stack of 10^5 frames (no model here goes deeper than a few
 * hundred steps; pan says so if one does, and the run is then reported as failed) and a hash table
 * of 2^24 slots.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Params } from './classic.ts';

export const GCC_FLAGS = ['-O2', '-DSAFETY', '-DMEMLIM=16384'];
export const PAN_FLAGS = ['-m100000', '-w24'];
const TIME = '/usr/bin/time';

const onPath = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/**
 * Installs what the SPIN side needs (spin; gcc to compile pan; GNU time for pan's peak RSS) with
 * apt-get when any is missing, as on a freshly started CI machine. Returns spin's version line.
 */
export function ensureSpin(): string {
  const missing = [
    onPath('spin') ? null : 'spin',
    onPath('gcc') ? null : 'gcc',
    existsSync(TIME) ? null : 'time',
  ].filter((p): p is string => p !== null);
  if (missing.length > 0) {
    const root = process.getuid?.() === 0;
    const sudo = root ? [] : ['sudo'];
    if (!root && !onPath('sudo')) {
      throw new Error(
        `${missing.join(', ')} missing and not root: install with apt-get install -y ${missing.join(' ')}`,
      );
    }
    process.stderr.write(`bench: installing ${missing.join(', ')} with apt-get\n`);
    const apt = (args: string[]): void => {
      const r = spawnSync(sudo.length ? 'sudo' : 'apt-get', [...(sudo.length ? ['apt-get'] : []), ...args], {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
      if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status})`);
    };
    apt(['update', '-qq']);
    apt(['install', '-y', '-qq', ...missing]);
  }
  return spawnSync('spin', ['-V'], { encoding: 'utf8' }).stdout.trim();
}

export const gccVersion = (): string =>
  execFileSync('gcc', ['--version'], { encoding: 'utf8' }).split('\n')[0];

/**
 * Generates pan.c for `pml` with `defines` and compiles it in `dir` (created); returns `dir`.
 * Compilation is not part of any measurement.
 */
export function buildPan(pml: string, defines: Params, reductions: boolean, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const model = join(dir, 'model.pml');
  copyFileSync(pml, model);
  const macros = Object.entries(defines).map(([k, v]) => `-D${k}=${v}`);
  const run = (cmd: string, args: string[]): void => {
    const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) {
      throw new Error(`${cmd} ${args.join(' ')} failed in ${dir}:\n${r.stdout}${r.stderr}`);
    }
  };
  run('spin', [...macros, '-a', 'model.pml']);
  run('gcc', [...GCC_FLAGS, ...(reductions ? [] : ['-DNOREDUCE']), '-w', '-o', 'pan', 'pan.c']);
  return dir;
}

export interface PanResult {
  /** pan finished; false when the time cap stopped it (the counts are then at the cut-off). */
  complete: boolean;
  errors: number;
  /** pan's first error line ("assertion violated ..."), or null. */
  error: string | null;
  states: number;
  transitions: number;
  /** pan's own search time (10 ms resolution). */
  seconds: number;
  /** pan's "actual memory usage for states", in bytes. */
  stateBytes: number;
  peakMB: number | null;
}

/**
 * Runs a built pan. The cap is enforced by timeout(1) with SIGINT, on which pan prints its usual
 * report; GNU time records the peak RSS.
 */
export function runPan(dir: string, timeoutSeconds: number): PanResult {
  const timeFile = join(dir, 'time.txt');
  const r = spawnSync(
    TIME,
    [
      '-f',
      '%M',
      '-o',
      timeFile,
      'timeout',
      '-s',
      'INT',
      '-k',
      '10',
      String(timeoutSeconds),
      './pan',
      ...PAN_FLAGS,
    ],
    { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const out = r.stdout;
  const number = (re: RegExp): number => {
    const m = out.match(re);
    return m ? Number(m[1]) : Number.NaN;
  };
  if (/max search depth too small/.test(out)) {
    throw new Error(`pan in ${dir}: the DFS stack (${PAN_FLAGS[0]}) is too small for this model`);
  }
  const timedOut = r.status === 124 || r.status === 137;
  const states = number(/^\s*(\d+) states, stored/m);
  if (Number.isNaN(states))
    throw new Error(`pan in ${dir} printed no report (exit ${r.status}):\n${out}${r.stderr}`);
  const rssKB = existsSync(timeFile)
    ? Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop())
    : Number.NaN;
  const errorLine = out.match(/^pan:\d+: (.*)$/m);
  return {
    complete: !timedOut,
    errors: number(/errors: (\d+)/),
    error: errorLine ? errorLine[1] : null,
    states,
    transitions: number(/^\s*(\d+) transitions/m),
    seconds: number(/^pan: elapsed time ([\d.e+]+) seconds/m),
    stateBytes: number(/^\s*([\d.]+)\s+actual memory usage for states/m) * 2 ** 20,
    peakMB: Number.isNaN(rssKB) ? null : rssKB / 1024,
  };
}
