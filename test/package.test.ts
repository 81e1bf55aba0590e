/**
 * svmsim as a policy author meets it, outside this repository: the packed tarball installed in an
 * empty directory, a policy there that imports only `svmsim/policy` and brings a step of its own,
 * type-checked against the published declarations and checked with `npx svmsim check`.
 *
 * The package is packed with --ignore-scripts: its `prepare` would rebuild dist/ under the other
 * test files' feet, and the global setup (build.setup.ts) has just built it from these sources.
 * Installing is offline in effect (--prefer-offline): every dependency is in npm's cache since
 * `npm ci`.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'svmsim-user-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(cmd: string, args: string[], cwd = dir): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (r.error) throw r.error;
  return r;
}
function ok(cmd: string, args: string[], cwd = dir): string {
  const r = run(cmd, args, cwd);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

/**
 * e57e58bd with its ->release clearing the PASID entry by a step of the author's own: it reads the
 * frame's intel_svm and mm as objects, the svm's fields by name (life, mm, pasid), and writes the
 * PASID table entry. If the step did not run, or read the wrong field, the entry would stay and the
 * device's DMA would reach the exiting mm's freed pages (the ablation e57e58bd-no-release-clear).
 */
const POLICY = `import {
  Ctl,
  e57e58bd,
  type Kernel,
  Life,
  type ReleaseFrame,
  release,
  replaced,
  type SvmPolicy,
} from 'svmsim/policy';

/** ->release: pasid_table[svm->pasid].val = 0, once sure this svm is the releasing mm's. */
function clear_pasid_entry_of_mm(k: Kernel, f: ReleaseFrame): Ctl {
  const svm = f.svm;
  if (svm.life !== Life.live || svm.mm !== f.mm) return Ctl.RET;
  k.hw.writePasidEntry(svm.pasid, { P: 0 });
  return Ctl.NEXT;
}

const mine: SvmPolicy = {
  ...e57e58bd,
  name: 'mine',
  summary: 'e57e58bd, its ->release clearing the PASID entry by a step of my own',
  release: replaced(e57e58bd.release, release.clear_pasid_entry, clear_pasid_entry_of_mm),
};
export default mine;
`;

const TSCONFIG = {
  compilerOptions: {
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    target: 'ES2022',
    strict: true,
    noEmit: true,
    types: [],
  },
  include: ['mine.ts'],
};

describe('the package, installed from its tarball', () => {
  it('checks a policy file that imports only svmsim/policy and adds a step of its own', () => {
    const [packed] = JSON.parse(
      ok('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], root),
    );
    const files: string[] = packed.files.map((f: { path: string }) => f.path);
    expect(files).toContain('dist/cli/main.js');
    expect(files).toContain('dist/policy.d.ts');
    expect(files.filter((f) => /\.test\.|^src\/|^test\/|^bench\//.test(f))).toEqual([]);

    ok('npm', ['init', '-y']);
    ok('npm', [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      join(dir, packed.filename),
      'tsx',
      'typescript@~5.9.3',
    ]);
    writeFileSync(join(dir, 'mine.ts'), POLICY);

    // `npm init -y` makes a CommonJS package, where a TypeScript loader would compile the policy's
    // import into a require() of a second copy of svmsim: refused, saying what to change.
    const cjs = run('npx', ['svmsim', 'check', 'seed-accel-dma', '--policy', './mine.ts']);
    expect(cjs.status).toBe(2);
    expect(cjs.stderr).toContain('a policy is an ES module');
    expect(cjs.stderr).toContain('npm pkg set type=module');
    ok('npm', ['pkg', 'set', 'type=module']);

    // The published declarations type the policy.
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    ok('npx', ['tsc', '-p', '.']);

    const r = run('npx', ['svmsim', 'check', 'seed-accel-dma', '--policy', './mine.ts']);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^seed-accel-dma +mine +verified +- +- +[\d,]+ /m);

    // The same states as the built-in e57e58bd, whose step it stands in for.
    const both = JSON.parse(
      ok('npx', [
        'svmsim',
        'check',
        'seed-accel-dma',
        '--policy',
        'e57e58bd',
        '--policy',
        './mine.ts',
        '--json',
      ]),
    ).results;
    expect(both.map((x: { policy: string; verdict: string }) => [x.policy, x.verdict])).toEqual([
      ['e57e58bd', 'verified'],
      ['mine', 'verified'],
    ]);
    expect(both[1].stats.states).toBe(both[0].stats.states);
  }, 300_000);
});
