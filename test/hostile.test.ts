/**
 * svmsim off the happy path (issue 16): hostile input gets exit 2 with where and what, in JSON
 * too; a user's policy cannot hang it; nothing ends in a stack trace.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServers } from './valkey.ts';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'svmsim.js');
const svmsim = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    cwd: root,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const tmp = () => mkdtempSync(join(tmpdir(), 'svmsim-'));
const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at /);
const policy = (name: string) => join('test', 'policies', `${name}.ts`);

describe('errors', () => {
  it('--help documents every exit code, 4 with how to report it', () => {
    const r = svmsim('--help');
    expect(r.out).toMatch(/4 an internal error: a bug in svmsim/);
    expect(r.out).toContain('report');
  });

  it('--json prints { error: { code, message, file, line, column } } for bad input', () => {
    const d = tmp();
    const f = join(d, 'a.yaml');
    writeFileSync(f, 'name: a\ndevices: *nope\nprocesses: []\n');
    const r = svmsim('check', f, '--json');
    expect(r.code).toBe(2);
    noStack(r.err);
    expect(JSON.parse(r.out)).toEqual({
      error: { code: 2, message: expect.stringContaining('nope'), file: f, line: 2, column: 10 },
    });
    const opt = svmsim('check', '--max-states', '0', '--json');
    expect(opt.code).toBe(2);
    expect(JSON.parse(opt.out).error.message).toContain('--max-states must be at least 1');
  });

  it('a directory as the scenario is an input error', () => {
    const r = svmsim('check', tmp());
    expect(r.code).toBe(2);
    expect(r.err).toContain('is a directory');
    noStack(r.err);
  });

  it('output paths are checked before the search starts', () => {
    for (const opt of ['--report', '--trace-out']) {
      const r = svmsim(
        'check',
        'two-procs-one-device',
        '--policy',
        'e57e58bd',
        opt,
        '/nonexistent-dir/x',
        '--json',
      );
      expect(r.code).toBe(2);
      expect(JSON.parse(r.out).error.message).toContain('does not exist');
      expect(r.err).not.toContain('states');
    }
  });

  it('--all with --swarm is refused, not ignored', () => {
    const r = svmsim('check', '--all', '--swarm', '2');
    expect(r.code).toBe(2);
    expect(r.err).toContain("cannot be used with option '--all'");
  });

  it('--workers above the cores is cut down to them, and says so', () => {
    const r = svmsim('check', '--workers', '100000', '--policy', 'v4.4');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--workers 100000: this machine has \d+ cores; using \d+/);
  });

  it('--trace-out of a check without a counterexample removes an older trace and says so', () => {
    const f = join(tmp(), 'old.json');
    writeFileSync(f, '{"old": true}\n');
    const r = svmsim('check', 'seed-gfx', '--policy', 'e57e58bd', '--trace-out', f);
    expect(r.code).toBe(0);
    expect(existsSync(f)).toBe(false);
    expect(r.err).toContain('removed the older');
  });
});

describe('reports without a counterexample', () => {
  it('an incomplete check says so, and what stopped it, never "No violation"', () => {
    const f = join(tmp(), 'r.html');
    const r = svmsim(
      'check',
      'two-procs-one-device',
      '--policy',
      'e57e58bd',
      '--max-states',
      '10',
      '--report',
      f,
    );
    expect(r.code).toBe(3);
    const html = readFileSync(f, 'utf8');
    expect(html).toMatch(/Incomplete: \d+ states, stopped by max-states/);
    expect(html).not.toContain('No violation');
  });

  it('--all cut short by a limit says so: the kinds it lists may not be all', () => {
    const r = svmsim('check', 'seed-accel-dma', '--policy', 'v4.4', '--all', '--max-states', '100');
    expect(r.code).toBe(1);
    expect(r.out).toContain('--all was cut short (max-states) after 100 states');
    expect(r.out).toMatch(/seed-accel-dma\s+v4\.4\s+violation \(cut short: max-states\)\s+leak/);
  });

  it('a verified check says over how many states', () => {
    const f = join(tmp(), 'v.html');
    expect(svmsim('check', 'seed-gfx', '--policy', 'e57e58bd', '--report', f).code).toBe(0);
    expect(readFileSync(f, 'utf8')).toMatch(/Verified over [\d,]+ states/);
  });
});

describe('a user policy module', () => {
  const cases: [string, RegExp][] = [
    ['throws', /step 'next_request' of prq_event_thread threw TypeError: boom/],
    ['garbage', /step 'next_request' of prq_event_thread returned yes, not a Ctl/],
    ['nolabel', /step 'next_request' of prq_event_thread threw .*no step labelled 'nowhere'/],
    ['getter', /default export: reading the policy object threw: no fault list today/],
    ['builtin-name', /name: 'e57e58bd' is a built-in policy's name/],
  ];
  for (const [name, message] of cases)
    it(`${name}: exit 2 naming the step or field, no stack trace`, () => {
      const r = svmsim('check', 'seed-accel-dma', '--policy', policy(name), '--json');
      expect(r.code).toBe(2);
      noStack(r.err);
      expect(r.err).toMatch(message);
      expect(JSON.parse(r.out).error.file).toBe(policy(name));
    });

  it('with a syntax error: its line and column', () => {
    const f = join(tmp(), 'bad.mts');
    writeFileSync(f, "export default { name: 'x' ;\n");
    const r = svmsim('check', '--policy', f);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${f}:1:27: syntax: Expected "}" but found ";"`);
  });
});

/**
 * A user's policy step that never returns (test/policies/loop.ts), under every command that runs
 * a policy: stopped at --max-seconds or on Ctrl-C, exit 3 (incomplete), the step named. The bound on
 * the time is loose on purpose (the machine is shared): what it catches is a hang, not slowness.
 */
describe('a policy step that never returns', () => {
  const step = "step 'next_request' of prq_event_thread did not return";
  /** Runs svmsim; with `ctrlC`, sends SIGINT once the policy's step has begun to loop. */
  async function hang(args: string[], o: { ctrlC?: boolean; env?: Record<string, string> } = {}) {
    const looping = join(tmp(), 'looping');
    const started = performance.now();
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', SVMSIM_TEST_LOOPING: looping, ...o.env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => {
      out += b;
    });
    child.stderr.on('data', (b) => {
      err += b;
    });
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    let signalledAt = 0;
    if (o.ctrlC) {
      // Ctrl-C once the step is looping (the fixture writes the file as it begins).
      while (!existsSync(looping)) await new Promise((r) => setTimeout(r, 100));
      signalledAt = performance.now();
      child.kill('SIGINT');
    }
    const code = await exited;
    const seconds = (performance.now() - (signalledAt || started)) / 1000;
    return { code, out, err, seconds, looped: existsSync(looping) };
  }
  const loop = policy('loop');
  const bySeconds = new RegExp(`${step} \\(stopped at --max-seconds 3`);
  const byCtrlC = new RegExp(`${step} \\(interrupted \\(Ctrl-C\\)`);

  for (const extra of [[], ['--swarm', '2'], ['--workers', '2']])
    it(`check${extra.map((x) => ` ${x}`).join('')}: stops at --max-seconds 3, exit 3, the step named in JSON`, async () => {
      const r = await hang([
        'check',
        'seed-accel-dma',
        '--policy',
        loop,
        '--max-seconds',
        '3',
        '--json',
        ...extra,
      ]);
      expect(r.code).toBe(3);
      expect(r.seconds).toBeLessThan(20);
      const [x] = JSON.parse(r.out).results;
      expect([x.verdict, x.incompleteReason]).toEqual(['incomplete', 'max-seconds']);
      // The search threads of --swarm and --workers count their start-up in --max-seconds: on a
      // loaded machine they may start after it, and stop before any reaches the step. Whenever
      // one did (the fixture writes the file), the step must be named. Ctrl-C, below, waits for it.
      if (extra.length === 0 || r.looped) {
        expect(r.err).toMatch(bySeconds);
        expect(x.stuck).toEqual(["step 'next_request' of prq_event_thread"]);
      } else expect(x.stuck).toBeUndefined();
    }, 60_000);

  for (const command of [
    ['check'],
    ['check', '--swarm', '2'],
    ['check', '--workers', '2'],
    ['simulate'],
    ['run'],
  ])
    it(`${command.join(' ')}: stops on Ctrl-C, naming the step`, async () => {
      const [name, ...extra] = command;
      const r = await hang([name, 'seed-accel-dma', '--policy', loop, ...extra], { ctrlC: true });
      expect(r.code).toBe(3);
      expect(r.err).toMatch(byCtrlC);
      expect(r.seconds).toBeLessThan(15);
    }, 60_000);

  it('check keeps what it found before: a scenario checked first, then the one that hangs', async () => {
    const r = await hang(['check', 'seed-gfx', 'seed-accel-dma', '--policy', loop, '--max-seconds', '3']);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(bySeconds);
    expect(r.out).toMatch(/seed-gfx\s+loops\s+verified\s+-\s+-\s+28/);
    expect(r.out).toMatch(/seed-accel-dma\s+loops\s+incomplete \(max-seconds\)/);
    expect(r.out).toContain("ended inside step 'next_request' of prq_event_thread, which did not return");
  }, 60_000);

  it('simulate: stops at --max-seconds 3, naming the step', async () => {
    const r = await hang(['simulate', 'seed-accel-dma', '--policy', loop, '--max-seconds', '3']);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(bySeconds);
    expect(r.out).toMatch(/seed-accel-dma\s+loops\s+stopped \(max-seconds\)/);
    expect(r.seconds).toBeLessThan(20);
  }, 60_000);

  it('check --valkey: stops at --max-seconds 3, its worker process ended', async () => {
    // The steps run in the worker process check starts; the search ends it when it stops.
    const servers = await startServers(1, false);
    try {
      const looping = join(tmp(), 'looping');
      const r = await hang(
        ['check', 'seed-accel-dma', '--policy', loop, '--valkey', servers.urls[0], '--max-seconds', '3'],
        { env: { SVMSIM_TEST_LOOPING: looping } },
      );
      expect(r.code).toBe(3);
      expect(r.out).toMatch(/seed-accel-dma\s+loops\s+incomplete \(max-seconds\)/);
      expect(r.seconds).toBeLessThan(20);
      // The worker did reach the loop, and no such process is left.
      expect(existsSync(looping)).toBe(true);
      const left = spawnSync('pgrep', ['-f', `worker --valkey ${servers.urls[0]}`], { encoding: 'utf8' });
      expect(left.stdout.trim()).toBe('');
    } finally {
      servers.stop();
    }
  }, 60_000);

  it('replay: stops on Ctrl-C, naming the step', async () => {
    // The trace is written with the loop turned off; replay runs the same file into it.
    const f = join(tmp(), 'loop.itf.json');
    const w = await hang(['run', 'seed-accel-dma', '--policy', loop, '--trace-out', f], {
      env: { SVMSIM_TEST_NO_LOOP: '1' },
    });
    expect(w.code).toBe(0);
    const r = await hang(['replay', f, '--policy', loop], { ctrlC: true });
    expect(r.code).toBe(3);
    expect(r.err).toMatch(byCtrlC);
    expect(r.seconds).toBeLessThan(15);
  }, 60_000);
});
