/**
 * svmsim's side of the bench: each measurement runs bench/one.ts in a child node process, so that
 * its peak RSS belongs to that run alone and no JIT state or heap carries over between runs.
 */

import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SvmsimResult, SvmsimSpec } from './one.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');

/** Time the child gets past the search's own cap: start-up, and the last slice. */
const GRACE_SECONDS = 60;

/** A run that ended without a result: a crash, or killed past its cap (say, out of memory). */
export interface SvmsimFailure {
  verdict: 'failed';
  why: string;
}

export function runSvmsim(spec: SvmsimSpec): SvmsimResult | SvmsimFailure {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'one.ts'), JSON.stringify(spec)], {
    cwd: repo,
    encoding: 'utf8',
    timeout: (spec.timeout + GRACE_SECONDS) * 1000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 << 20,
  });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('{')) {
    const why = r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
    process.stderr.write(
      `bench: svmsim run ${JSON.stringify(spec)} failed (${why}):\n${r.stderr.slice(-2000)}\n`,
    );
    return { verdict: 'failed', why };
  }
  return JSON.parse(last) as SvmsimResult;
}
