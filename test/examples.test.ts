/**
 * The worked examples of docs/policies.md, checked as their reader would check them: through the
 * CLI, which loads a policy file the way it loads a user's.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

function check(policy: string) {
  const r = spawnSync(
    process.execPath,
    ['bin/svmsim.js', 'check', 'seed-accel-dma', '--policy', 'e57e58bd', '--policy', policy, '--json'],
    { cwd: root, encoding: 'utf8' },
  );
  if (r.status !== 0 && r.status !== 1) throw new Error(`exit ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout).results as {
    policy: string;
    verdict: string;
    stats: { states: number };
    violation?: { kind: string; steps: unknown[] };
  }[];
}

describe('docs/examples', () => {
  it('no-fault-pin.ts: the handler without its pin is caught, as e57e58bd-no-fault-pin is', () => {
    const [, mine] = check('docs/examples/no-fault-pin.ts');
    expect([mine.policy, mine.verdict, mine.violation?.kind]).toEqual([
      'my-no-fault-pin',
      'violation',
      'use-after-free',
    ]);
  }, 120_000);

  it("own-release.ts: a ->release of the author's own step behaves as e57e58bd's, state for state", () => {
    const [builtin, mine] = check('docs/examples/own-release.ts');
    expect([mine.policy, mine.verdict]).toEqual(['own-release', 'verified']);
    expect(mine.stats.states).toBe(builtin.stats.states);
  }, 120_000);
});
