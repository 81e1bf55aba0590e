/** The machine a bench ran on, recorded beside its figures: ratios only compare on one machine. */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gccVersion } from './spin.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface Machine {
  cpu: string;
  cores: number;
  memoryGB: number;
  node: string;
  spin: string;
  gcc: string;
  date: string;
  /** The svmsim measured: its commit, and whether src/ had changes not yet committed. */
  svmsim: { commit: string | null; uncommittedChanges: boolean | null };
  /**
   * 1-minute load average when the bench began and when it ended: other work on the machine slows
   * both tools alike (they take turns), but it widens the spread of the times.
   */
  loadAverage: { start: number; end: number | null };
}

export function describeMachine(spinVersion: string): Machine {
  return {
    cpu: cpuModel(),
    cores: cpus().length,
    memoryGB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    spin: spinVersion,
    gcc: gccVersion(),
    date: new Date().toISOString(),
    svmsim: revision(),
    loadAverage: { start: loadavg()[0], end: null },
  };
}

export const recordEndLoad = (m: Machine): void => {
  m.loadAverage.end = loadavg()[0];
};

function revision(): Machine['svmsim'] {
  const git = (args: string[]): string | null => {
    try {
      return execFileSync('git', args, {
        cwd: repo,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch {
      return null;
    }
  };
  const status = git(['status', '--porcelain', '--', 'src']);
  return {
    commit: git(['rev-parse', '--short', 'HEAD']),
    uncommittedChanges: status === null ? null : status !== '',
  };
}

function cpuModel(): string {
  try {
    const m = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m);
    if (m) return m[1].trim();
  } catch {
    // Not Linux: os.cpus() below.
  }
  return cpus()[0]?.model ?? 'unknown';
}
