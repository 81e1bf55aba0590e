/** The command line as a user meets it: exit codes, JSON, errors that point at the input. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '..', 'bin', 'svmsim.js');
const svmsim = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const tmp = () => mkdtempSync(join(tmpdir(), 'svmsim-'));

describe('svmsim run', () => {
  it('shows the seed leak under v4.4 with its cycle, in kernel words', () => {
    const r = svmsim('run', 'seed-accel-mmap', '--policy', 'v4.4');
    expect(r.code).toBe(1);
    expect(r.out).toContain('violation: leak');
    expect(r.out).toContain('cycle: mm#0 → vma#1 → file#0 → sdev#0 → svm#0 → mm#0');
    expect(r.out).toMatch(/do_exit → mmput → mm#0 mm_users 2→1/);
  });

  it('frees everything under the fix, and says so in JSON', () => {
    const r = svmsim('run', 'seed-accel-mmap', '--policy', 'mm_count', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.verdict).toBe('pass');
    expect(j.policy).toBe('e57e58bd');
    expect(j.end.allFreed).toBe(true);
    expect(j.steps.length).toBeGreaterThan(5);
  });

  it('gives the same schedule for the same seed', () => {
    const a = svmsim('run', 'seed-accel-dma', '--seed', '7', '--json');
    const b = svmsim('run', 'seed-accel-dma', '--seed', '7', '--json');
    expect(JSON.parse(a.out).steps).toEqual(JSON.parse(b.out).steps);
  });

  it('points at file, line and field of a malformed scenario, with exit 2 and no stack trace', () => {
    const d = tmp();
    const f = join(d, 'bad.yaml');
    writeFileSync(
      f,
      'name: bad\ndevices:\n  - name: a0\n    client: acel\nprocesses:\n  - name: p\n    program: [exit]\n',
    );
    const r = svmsim('run', f);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${f}:4:13: devices.0.client:`);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('rejects an unknown policy with exit 2', () => {
    const r = svmsim('run', 'seed-gfx', '--policy', 'nope');
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown policy');
  });
});

describe('svmsim check', () => {
  it('gives a verdict and a trace as JSON, the same on every run', () => {
    const a = svmsim('check', 'seed-accel-dma', '--policy', 'e57e58bd-no-fault-pin', '--json');
    const b = svmsim('check', 'seed-accel-dma', '--policy', 'e57e58bd-no-fault-pin', '--json');
    expect(a.code).toBe(1);
    const ja = JSON.parse(a.out);
    expect(ja.results[0].verdict).toBe('violation');
    expect(ja.results[0].trace.length).toBeGreaterThan(0);
    expect(ja.results[0].trace).toEqual(JSON.parse(b.out).results[0].trace);
  });

  it('stops at --max-states with exit 3, verdict incomplete and the stats so far', () => {
    const r = svmsim('check', 'two-procs-one-device', '--policy', 'e57e58bd', '--max-states', '10', '--json');
    expect(r.code).toBe(3);
    const j = JSON.parse(r.out);
    expect(j.results[0].verdict).toBe('incomplete');
    expect(j.results[0].stats.states).toBeGreaterThanOrEqual(10);
  });
});

describe('svmsim check --swarm and reductions', () => {
  it('finds the same kind of violation with diversified searches in worker threads', () => {
    const r = svmsim(
      'check',
      'seed-accel-dma',
      '--policy',
      'e57e58bd-no-fault-pin',
      '--swarm',
      '2',
      '--json',
    );
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out).results[0];
    expect(j.violation.kind).toBe('use-after-free');
    expect(j.stats.searches).toBe(2);
  });

  it('reduces by symmetry and partial order in every search of a swarm, unless told not to', () => {
    const args = ['check', 'two-procs-one-device', '--policy', 'v4.4', '--swarm', '2', '--json'];
    const on = svmsim(...args);
    expect([on.code, on.err]).toEqual([1, '']);
    const j = JSON.parse(on.out).results[0];
    expect(j.violation.kind).toBe('leak');
    expect([j.stats.symmetry, j.stats.reduced.symmetry, j.stats.reduced.por]).toEqual([
      { groups: [['proc0', 'proc1']], devices: [null] },
      true,
      true,
    ]);
    const noSym = svmsim(...args, '--no-symmetry');
    const k = JSON.parse(noSym.out).results[0];
    expect([
      noSym.code,
      k.violation.kind,
      k.stats.symmetry,
      k.stats.reduced.symmetry,
      k.stats.reduced.por,
    ]).toEqual([1, 'leak', undefined, false, true]);
    const off = svmsim(...args, '--no-symmetry', '--no-por');
    const l = JSON.parse(off.out).results[0];
    expect([off.code, l.violation.kind, l.stats.reduced]).toEqual([1, 'leak', undefined]);
  });

  it('searches breadth-first in worker threads with --workers, as the sequential BFS does', () => {
    const policies = ['--policy', 'v4.4', '--policy', 'e57e58bd'];
    const par = svmsim('check', 'seed-accel-dma', ...policies, '--workers', '2', '--no-symmetry', '--json');
    // Partial-order reduction on in both, as by default.
    const seq = svmsim(
      'check',
      'seed-accel-dma',
      ...policies,
      '--no-symmetry',
      '--hash-compaction',
      '--json',
    );
    expect([par.code, seq.code]).toEqual([1, 1]);
    const [leak, fixed] = JSON.parse(par.out).results;
    const [seqLeak, seqFixed] = JSON.parse(seq.out).results;
    expect([leak.verdict, leak.violation.kind, leak.trace.length]).toEqual([
      'violation',
      'leak',
      seqLeak.trace.length,
    ]);
    expect([fixed.verdict, fixed.stats.states, fixed.stats.transitions]).toEqual([
      'verified',
      seqFixed.stats.states,
      seqFixed.stats.transitions,
    ]);
    expect(fixed.stats.workers).toBe(2);
    expect(fixed.stats.omissionProbability).toBe(seqFixed.stats.omissionProbability);

    // Reduced by partial order (system/footprint.ts) as the sequential search is, and nothing to say
    // about it; or not at all, when told not to.
    expect(fixed.stats.reduced).toEqual(seqFixed.stats.reduced);
    expect(fixed.stats.reduced.por).toBe(true);
    expect(par.err).toBe('');
    const off = svmsim(
      'check',
      'seed-accel-dma',
      '--policy',
      'e57e58bd',
      '--workers',
      '2',
      '--no-por',
      '--json',
    );
    const [unreduced] = JSON.parse(off.out).results;
    expect([off.code, off.err, unreduced.stats.reduced.por]).toEqual([0, '', false]);
    expect(unreduced.stats.states).toBeGreaterThan(fixed.stats.states);

    const dfs = svmsim('check', 'seed-accel-dma', '--workers', '2', '--dfs');
    expect(dfs.code).toBe(2);
    expect(dfs.err).toContain("'--workers <n>' cannot be used with option '--dfs'");
  });

  it('reduces by symmetry and partial order with --workers, storing what the sequential BFS stores', () => {
    const args = ['check', 'two-procs-one-device', '--policy', 'v4.4'];
    const par = svmsim(...args, '--workers', '2');
    expect(par.code).toBe(1);
    expect(par.out).toContain('one state per exchange of proc0 ≡ proc1');
    expect(par.out).toContain('partial-order reduced');
    const [j] = JSON.parse(svmsim(...args, '--workers', '2', '--json').out).results;
    const [seq] = JSON.parse(svmsim(...args, '--hash-compaction', '--json').out).results;
    const summary = (r: {
      violation: { kind: string };
      trace: unknown[];
      stats: { states: number; transitions: number; symmetry: unknown };
    }) => [r.violation.kind, r.trace.length, r.stats.states, r.stats.transitions, r.stats.symmetry];
    expect(summary(j)).toEqual(summary(seq));
    expect([j.violation.kind, j.stats.reduced.symmetry, j.stats.reduced.por, j.stats.workers]).toEqual([
      'leak',
      true,
      true,
      2,
    ]);
  });

  it('gives the same verdicts with the reductions turned off', () => {
    const on = JSON.parse(svmsim('check', 'seed-accel-dma', '--json').out).results;
    const off = JSON.parse(
      svmsim('check', 'seed-accel-dma', '--no-por', '--no-symmetry', '--json').out,
    ).results;
    expect(off.map((x: { verdict: string }) => x.verdict)).toEqual(
      on.map((x: { verdict: string }) => x.verdict),
    );
    // The model declares footprints (system/footprint.ts): partial-order reduction ran, and saved states.
    const fixed = (rs: { policy: string; stats: { states: number; reduced?: { por: boolean } } }[]) =>
      rs.find((r) => r.policy === 'e57e58bd')!.stats;
    expect(fixed(on).reduced?.por).toBe(true);
    expect(fixed(off).reduced).toBeUndefined();
    expect(fixed(on).states).toBeLessThan(fixed(off).states);
  });

  it('says in the text result when partial-order reduction ran', () => {
    const on = svmsim('check', 'seed-accel-mmap', '--policy', 'v4.4');
    const off = svmsim('check', 'seed-accel-mmap', '--policy', 'v4.4', '--no-por');
    expect(on.out.split('\n')[0]).toMatch(
      /^seed-accel-mmap under v4\.4: leak in 7 steps \(.*, partial-order reduced\)$/,
    );
    expect(off.out.split('\n')[0]).not.toContain('partial-order');
  });
});

describe('svmsim --report', () => {
  it('writes a self-contained HTML report with the trace and the comparison table', () => {
    const d = tmp();
    const f = join(d, 'leak.html');
    const r = svmsim('check', 'seed-accel-mmap', '--policy', 'v4.4', '--policy', 'e57e58bd', '--report', f);
    expect(r.code).toBe(1);
    const html = readFileSync(f, 'utf8');
    expect(html).toContain('id="svmsim-data"');
    const data = JSON.parse(
      html.match(/<script type="application\/json" id="svmsim-data">([\s\S]*?)<\/script>/)![1],
    );
    expect(data.violation.cycle).toEqual(['mm#0', 'vma#1', 'file#0', 'sdev#0', 'svm#0']);
    expect(data.results.map((x: { verdict: string }) => x.verdict)).toEqual(['violation', 'verified']);
  });
});

describe('svmsim replay', () => {
  it('reproduces a counterexample, and refuses an edited one', () => {
    const d = tmp();
    const c = svmsim('check', 'seed-accel-mmap', '--policy', 'v4.4', '--trace-out', join(d, 'leak'));
    expect(c.code).toBe(1);
    const f = join(d, 'leak.itf.json');
    const r = svmsim('replay', f);
    expect(r.code).toBe(1);
    expect(r.out).toContain('violation: leak');
    const t = JSON.parse(readFileSync(f, 'utf8'));
    t['#meta'].svmsim.steps[2].choice = 5;
    writeFileSync(f, JSON.stringify(t));
    const bad = svmsim('replay', f);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('#meta.svmsim.steps[2] (step 3)');
  });

  it('refuses a trace whose recorded states differ from the replayed ones', () => {
    const d = tmp();
    const f = join(d, 'leak.itf.json');
    svmsim('check', 'seed-accel-mmap', '--policy', 'v4.4', '--trace-out', f);
    const t = JSON.parse(readFileSync(f, 'utf8'));
    t.states[3].objects['#map'][1][1].mm_users = 7;
    writeFileSync(f, JSON.stringify(t));
    const r = svmsim('replay', f);
    expect(r.code).toBe(2);
    expect(r.err).toContain('states[3].objects');
  });

  it("records a user's policy by its path and the sha256 of its file", () => {
    const d = tmp();
    const policy = join(import.meta.dirname, '..', 'docs', 'examples', 'no-fault-pin.ts');
    const f = join(d, 'mine.itf.json');
    svmsim('run', 'seed-accel-mmap', '--policy', policy, '--trace-out', f);
    const meta = JSON.parse(readFileSync(f, 'utf8'))['#meta'].svmsim;
    expect(meta.policy.path).toBe(policy);
    expect(meta.policy.sha256).toBe(createHash('sha256').update(readFileSync(policy)).digest('hex'));
    expect(meta.command).toBe('run');
    // Replay never loads the module a trace names: it is given, and checked against the sha256.
    const named = svmsim('replay', f);
    expect(named.code).toBe(2);
    expect(named.err).toContain(`give it with --policy ${policy}`);
    expect(svmsim('replay', f, '--policy', policy).code).toBe(meta.violation ? 1 : 0);
  });

  it('replays a counterexample found with symmetry reduction, and says when the reduction ran', () => {
    const d = tmp();
    const f = join(d, 'two.itf.json');
    const c = svmsim('check', 'two-procs-one-device', '--policy', 'v4.4', '--trace-out', f);
    expect(c.code).toBe(1);
    expect(c.out).toContain('one state per exchange of proc0 ≡ proc1');
    const r = svmsim('replay', f);
    expect(r.code).toBe(1);
    expect(r.out).toContain('violation: leak');
    const on = JSON.parse(svmsim('check', 'two-procs-one-device', '--policy', 'v4.4', '--json').out);
    expect(on.results[0].stats.symmetry).toEqual({ groups: [['proc0', 'proc1']], devices: [null] });
    const off = svmsim('check', 'two-procs-one-device', '--policy', 'v4.4', '--no-symmetry', '--json');
    expect(JSON.parse(off.out).results[0].stats.symmetry).toBeUndefined();
  });

  it('names the devices that processes bring along into an exchange', () => {
    const d = tmp();
    const f = join(d, 'p2d2.yaml');
    const device = (n: number) => `  - { name: accel${n}, client: accel, ats: true, dma: 1 }`;
    const proc = (n: number) =>
      `  - name: proc${n}\n    program:\n      - open: { device: accel${n}, fd: 3 }\n      - ioctl_bind: 3\n      - exit`;
    writeFileSync(
      f,
      ['name: p2d2', 'pages: 1', 'devices:', device(0), device(1), 'processes:', proc(0), proc(1)].join('\n'),
    );
    const text = svmsim('check', f, '--policy', 'v4.4');
    expect(text.out).toContain('one state per exchange of proc0+accel0 ≡ proc1+accel1');
    const j = JSON.parse(svmsim('check', f, '--policy', 'v4.4', '--json').out).results[0];
    expect(j.stats.symmetry).toEqual({ groups: [['proc0', 'proc1']], devices: [['accel0', 'accel1']] });
  });

  it('refuses a trace from another format version', () => {
    const d = tmp();
    const f = join(d, 'old.json');
    writeFileSync(
      f,
      JSON.stringify({ '#meta': { format: 'svmsim-trace', formatVersion: 1, svmsim: '0.1.0' }, steps: [] }),
    );
    const r = svmsim('replay', f);
    expect(r.code).toBe(2);
    expect(r.err).toContain('write the trace again with --trace-out');
    const g = join(d, 'new.itf.json');
    svmsim('check', 'seed-accel-mmap', '--policy', 'v4.4', '--trace-out', g);
    const t = JSON.parse(readFileSync(g, 'utf8'));
    t['#meta'].svmsim.formatVersion = 99;
    writeFileSync(g, JSON.stringify(t));
    expect(svmsim('replay', g).err).toContain('#meta.svmsim.formatVersion');
  });
});

describe('svmsim simulate', () => {
  const p4d2 = (d: string) => {
    const f = join(d, 'p4d2.yaml');
    const proc = (name: string, dev: string) =>
      `  - name: ${name}\n    count: 2\n    program:\n      - open: { device: ${dev}, fd: 3 }\n      - ioctl_bind: 3\n      - mmap: 3\n      - exit`;
    const device = (n: number) => `  - { name: accel${n}, client: accel, ats: true, dma: 2 }`;
    writeFileSync(
      f,
      [
        'name: p4d2',
        'pages: 1',
        'devices:',
        device(0),
        device(1),
        'processes:',
        proc('a', 'accel0'),
        proc('b', 'accel1'),
      ].join('\n'),
    );
    return f;
  };

  it('finds the seed leak under v4.4 within 100 samples, with a trace that replays', () => {
    const d = tmp();
    const f = join(d, 'sim.itf.json');
    const r = svmsim('simulate', 'seed-accel-mmap', '--policy', 'v4.4', '--samples', '100', '--trace-out', f);
    expect(r.code).toBe(1);
    expect(r.out).toContain('violation: leak');
    expect(r.out).toContain('cycle: mm#0 → vma#1 → file#0 → sdev#0 → svm#0 → mm#0');
    const t = JSON.parse(readFileSync(f, 'utf8'))['#meta'].svmsim;
    expect([t.command, t.seed]).toEqual(['simulate', 0]);
    expect(svmsim('replay', f).code).toBe(1);
  });

  it('finds nothing under e57e58bd on the seed scenarios, and says that is no proof', () => {
    const seeds = ['seed-accel-mmap', 'seed-accel-dma', 'seed-accel-close', 'seed-gfx'];
    const r = svmsim('simulate', ...seeds, '--policy', 'e57e58bd', '--samples', '200', '--bias');
    expect(r.code).toBe(0);
    expect(r.out.match(/no violation found/g)).toHaveLength(4);
    expect(r.out).toContain('not a proof, only these samples');
  });

  it('gives the same output for the same seed', () => {
    const run = (seed: string) => {
      const j = JSON.parse(svmsim('simulate', '--seed', seed, '--samples', '30', '--json').out);
      return j.results.map((x: { stats: { seconds: number } }) => ({
        ...x,
        stats: { ...x.stats, seconds: 0 },
      }));
    };
    const a = run('11');
    expect(a.some((x: { verdict: string }) => x.verdict === 'violation')).toBe(true);
    expect(run('11')).toEqual(a);
  });

  it('runs four processes on two devices for the time it is given', () => {
    const f = p4d2(tmp());
    const r = svmsim(
      'simulate',
      f,
      '--policy',
      'e57e58bd',
      '--samples',
      '100000000',
      '--max-seconds',
      '2',
      '--json',
    );
    // Nothing to find under e57e58bd here (91,339 samples in 60 s found nothing): the time given
    // is kept.
    const [x] = JSON.parse(r.out).results;
    expect([r.code, x.verdict, x.incompleteReason]).toEqual([3, 'incomplete', 'max-seconds']);
    expect(x.stats.samples).toBeGreaterThan(0);
    expect(x.stats.seconds).toBeLessThan(2.5);
  });
});

describe('progress and colour off a terminal', () => {
  const piped = (env: Record<string, string>, ...args: string[]) => {
    const r = spawnSync(process.execPath, [bin, ...args], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  // A search that takes many seconds unreduced (698 K states to its verdict at ~45 K states/s);
  // stopped after 2 s.
  const slow = [
    'check',
    'two-procs-one-device',
    '--policy',
    'e57e58bd',
    '--no-por',
    '--no-symmetry',
    '--max-seconds',
    '2',
  ];

  it('prints a plain progress line on a piped stderr every interval, and none with --quiet', () => {
    const r = piped({ NO_COLOR: '1', SVMSIM_PROGRESS_SECONDS: '0.4' }, ...slow);
    const lines = r.err.split('\n').filter((l) => l.startsWith('svmsim: two-procs-one-device e57e58bd: '));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(
      /: [\d,]+ states, [\d,]+ states\/s, depth \d+, queue [\d,]+, [\d,]+ MiB, \d+ s$/,
    );
    expect(r.err).not.toContain('\x1b[');
    const q = piped({ NO_COLOR: '1', SVMSIM_PROGRESS_SECONDS: '0.4' }, ...slow, '--quiet');
    expect(q.err).not.toContain('svmsim: two-procs-one-device');
    expect(q.out).toContain('incomplete (max-seconds)');
  });

  it('prints the same plain lines for a long simulation', () => {
    // A verified configuration: nothing ends the sampling but the time.
    const args = ['simulate', 'seed-accel-dma', '--policy', 'e57e58bd', '--samples', '100000000'];
    const r = piped({ NO_COLOR: '1', SVMSIM_PROGRESS_SECONDS: '0.4' }, ...args, '--max-seconds', '2');
    expect(r.code).toBe(3);
    const lines = r.err.split('\n').filter((l) => l.startsWith('svmsim: simulate seed-accel-dma e57e58bd: '));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(
      /: [\d,]+ samples, [\d,]+ steps, [\d,]+ steps\/s, deepest \d+, [\d,]+ MiB, \d+ s$/,
    );
  });

  it('colours piped output with FORCE_COLOR, and not when NO_COLOR is set too', () => {
    const args = ['run', 'seed-accel-mmap', '--policy', 'v4.4'];
    expect(piped({ FORCE_COLOR: '1', NO_COLOR: '' }, ...args).out).toContain('\x1b[');
    expect(piped({ FORCE_COLOR: '1', NO_COLOR: '1' }, ...args).out).not.toContain('\x1b[');
  });
});

describe('svmsim check --dump-dot, replay --dump-dot', () => {
  it('write DOT that Graphviz renders: the state graph, and the trace alone', () => {
    const d = tmp();
    const [graph, trace, t] = ['g.dot', 'trace.dot', 'leak.itf.json'].map((f) => join(d, f));
    const c = svmsim('check', 'seed-accel-mmap', '--policy', 'v4.4', '--dump-dot', graph, '--trace-out', t);
    expect(c.code).toBe(1);
    expect(svmsim('replay', t, '--dump-dot', trace).code).toBe(1);
    for (const f of [graph, trace]) {
      const svg = spawnSync('dot', ['-Tsvg', f], { encoding: 'utf8' });
      expect([svg.status, svg.stderr]).toEqual([0, '']);
      expect(svg.stdout).toContain('violation: leak');
    }
    const cut = svmsim(
      'check',
      'seed-accel-dma',
      '--policy',
      'e57e58bd',
      '--dump-dot',
      graph,
      '--dot-max-states',
      '50',
    );
    expect(cut.err).toContain('the state graph was cut at 50 states');
  });
});
