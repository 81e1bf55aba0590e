/**
 * Loading a scenario: a built-in name or a YAML file, parsed, validated against the schema and
 * then checked for meaning (devices that exist, fds that are open, pages in range). Every error
 * names the file, the line and column, and the field.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isNode, LineCounter, parseDocument } from 'yaml';
import type { SysOp } from '../kernel/kernel.ts';
import { type OpYaml, ScenarioSchema, type ScenarioYaml } from './schema.ts';
import type { Scenario, ScenarioTask } from './types.ts';

export const builtinDir = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');

export const builtinScenarios = (): string[] =>
  readdirSync(builtinDir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -5))
    .sort();

/** An error in the user's input, with where it is. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }

  override toString(): string {
    const where = this.line > 0 ? `${this.file}:${this.line}:${this.col}` : this.file;
    return `${where}: ${this.field ? `${this.field}: ` : ''}${this.message}`;
  }
}

export function loadScenario(arg: string): Scenario {
  const builtin = join(builtinDir, `${arg}.yaml`);
  const file = existsSync(builtin) && !arg.includes('/') ? builtin : arg;
  if (!existsSync(file)) {
    throw new InputError(
      arg,
      0,
      0,
      '',
      `no such scenario file or built-in scenario (built-in: ${builtinScenarios().join(', ')})`,
    );
  }
  return parseScenario(readFileSync(file, 'utf8'), file === builtin ? arg : file);
}

/**
 * The scenario with `speculative_caching` set as the command line asks (`--speculative-caching`,
 * `--no-speculative-caching`): the setting is written into the scenario's text, so that a trace
 * file, which carries that text, replays under the same hardware.
 */
export function withSpeculativeCaching(sc: Scenario, on: boolean | undefined): Scenario {
  if (on === undefined || sc.speculativeCaching === on) return sc;
  const doc = parseDocument(sc.text);
  doc.set('speculative_caching', on);
  return parseScenario(doc.toString(), sc.source);
}

export function parseScenario(text: string, source: string): Scenario {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = lc.linePos(e.pos[0]);
    throw new InputError(source, pos.line, pos.col, '', `YAML: ${e.message.split('\n')[0]}`);
  }
  const at = (path: (string | number)[]): { line: number; col: number } => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return lc.linePos(node.range[0]);
    }
    return { line: 1, col: 1 };
  };
  const fail = (path: (string | number)[], message: string): never => {
    const pos = at(path);
    throw new InputError(source, pos.line, pos.col, path.join('.'), message);
  };
  const parsed = ScenarioSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    fail(path, describeIssue(issue));
  }
  return compile(parsed.data as ScenarioYaml, text, source, fail);
}

function describeIssue(issue: { code: string; message: string; keys?: string[] }): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown field ${issue.keys?.map((k) => `'${k}'`).join(', ')}`;
  if (issue.code === 'invalid_union')
    return 'expected one of: exit, open: {device, fd}, ioctl_bind: FD, mmap: FD, munmap: FD, close: FD, touch: PAGE, fork: {name, program}';
  return issue.message;
}

type Fail = (path: (string | number)[], message: string) => never;

function compile(y: ScenarioYaml, text: string, source: string, fail: Fail): Scenario {
  const deviceIndex = new Map(y.devices.map((d, i) => [d.name, i]));
  y.devices.forEach((d, i) => {
    if (deviceIndex.get(d.name) !== i) fail(['devices', i, 'name'], `device '${d.name}' is declared twice`);
  });
  const fdSet = new Set<number>();
  const tasks: ScenarioTask[] = [];
  const pending: {
    name: string;
    ops: OpYaml[];
    path: (string | number)[];
    parent?: number;
    fds: Set<number>;
  }[] = [];
  y.processes.forEach((p, i) => {
    for (let c = 0; c < p.count; c++) {
      const name = p.count > 1 ? `${p.name}${c}` : p.name;
      pending.push({ name, ops: p.program as OpYaml[], path: ['processes', i, 'program'], fds: new Set() });
    }
  });
  // Tasks in order: the processes first, then the children their forks create.
  for (let t = 0; t < pending.length; t++) {
    const { name, ops, path, parent, fds } = pending[t];
    const program: SysOp[] = [];
    ops.forEach((op, j) => {
      const here = [...path, j];
      if (op === 'exit') {
        program.push({ op: 'exit' });
        return;
      }
      const [key, val] = Object.entries(op)[0] as [string, unknown];
      const needOpen = (fd: number): number => {
        if (!fds.has(fd)) fail([...here, key], `fd ${fd} is not open in ${name} at this point`);
        return fd;
      };
      switch (key) {
        case 'open': {
          const v = val as { device: string; fd: number };
          const dev = deviceIndex.get(v.device);
          if (dev === undefined)
            fail(
              [...here, 'open', 'device'],
              `no device named '${v.device}' (devices: ${[...deviceIndex.keys()].join(', ')})`,
            );
          if (fds.has(v.fd)) fail([...here, 'open', 'fd'], `fd ${v.fd} is already open in ${name}`);
          fds.add(v.fd);
          fdSet.add(v.fd);
          program.push({ op: 'open', fd: v.fd, device: dev as number });
          break;
        }
        case 'ioctl_bind':
          program.push({ op: 'bind', fd: needOpen(val as number) });
          break;
        case 'mmap':
          program.push({ op: 'mmap', fd: needOpen(val as number) });
          break;
        case 'munmap':
          program.push({ op: 'munmap', fd: needOpen(val as number) });
          break;
        case 'close':
          program.push({ op: 'close', fd: needOpen(val as number) });
          fds.delete(val as number);
          break;
        case 'touch':
          if ((val as number) >= y.pages)
            fail([...here, 'touch'], `page ${val} is outside the buffer (pages: ${y.pages})`);
          program.push({ op: 'touch', page: val as number });
          break;
        case 'fork': {
          const v = val as { name: string; program: OpYaml[] };
          pending.push({
            name: v.name,
            ops: v.program,
            path: [...here, 'fork', 'program'],
            parent: t,
            fds: new Set(fds),
          });
          program.push({ op: 'fork', child: pending.length - 1 });
          break;
        }
      }
    });
    tasks.push({ name, program, forkedBy: parent });
  }
  const fdNumbers = [...fdSet].sort((a, b) => a - b);
  for (const t of tasks)
    for (const op of t.program) if ('fd' in op) (op as { fd: number }).fd = fdNumbers.indexOf(op.fd);
  return {
    name: y.name,
    description: y.description,
    source,
    text,
    upages: y.pages,
    speculativeCaching: y.speculative_caching,
    devices: y.devices.map((d) => ({
      name: d.name,
      client: d.client,
      ats: d.ats,
      streamRequests: d.stream_requests,
      dma: d.dma,
      faultCb: d.fault_cb,
      pasids: d.pasids,
    })),
    tasks,
    fdNumbers,
  };
}
