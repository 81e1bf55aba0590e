/**
 * Loading a scenario: a built-in name or a YAML file, parsed, validated against the schema and
 * then checked for meaning (devices that exist, fds that are open, pages in range). Every error
 * names the file, the line and column, and the field.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isNode, LineCounter, parseDocument, visit } from 'yaml';
import type { SysOp } from '../kernel/kernel.ts';
import { OpSchemas, type OpYaml, ScenarioSchema, type ScenarioYaml } from './schema.ts';
import type { Scenario, ScenarioTask } from './types.ts';

const OPS =
  'exit, open: {device, fd}, ioctl_bind: FD, mmap: FD, munmap: FD, close: FD, touch: PAGE, fork: {name, program}';

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
  let text: string;
  try {
    if (statSync(file).isDirectory()) throw new Error('is a directory, not a scenario file');
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(arg, 0, 0, '', `cannot read the scenario: ${(e as Error).message}`);
  }
  return parseScenario(text, file === builtin ? arg : file);
}

/** Where `path` (as the schema names fields) is in a scenario's YAML text: its nearest node that exists. */
export function locate(text: string, path: readonly (string | number)[]): { line: number; col: number } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]);
  }
  return { line: 1, col: 1 };
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
  // An alias that names no anchor, or aliases that expand without bound (a "billion laughs"),
  // fail inside toJS: name the first alias, the only construct that can cause either.
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    let alias: { line: number; col: number } | undefined;
    visit(doc, {
      Alias(_, node) {
        if (node.range) alias = lc.linePos(node.range[0]);
        return visit.BREAK;
      },
    });
    const pos = alias ?? { line: 1, col: 1 };
    throw new InputError(source, pos.line, pos.col, '', `YAML alias: ${(e as Error).message.split('\n')[0]}`);
  }
  const parsed = ScenarioSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'invalid_union') opIssue(doc.getIn(path), path, fail);
    fail(path, describeIssue(issue));
  }
  return compile(parsed.data as ScenarioYaml, text, source, fail);
}

function describeIssue(issue: { code: string; message: string; keys?: string[] }): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown field ${issue.keys?.map((k) => `'${k}'`).join(', ')}`;
  if (issue.code === 'invalid_union') return `expected one of: ${OPS}`;
  return issue.message;
}

type Fail = (path: (string | number)[], message: string) => never;

/**
 * A program item that matches no operation: say which operation it is not, or what is wrong
 * inside the one it names, rather than listing every operation.
 */
function opIssue(node: unknown, path: (string | number)[], fail: Fail): void {
  const v = isNode(node) ? node.toJSON() : node;
  if (typeof v === 'string') fail(path, `unknown operation '${v}' (${OPS})`);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return;
  const keys = Object.keys(v);
  if (keys.length !== 1)
    fail(path, `one operation per program item, got ${keys.map((k) => `'${k}'`).join(', ') || 'none'}`);
  const op = keys[0];
  const schema = Object.hasOwn(OpSchemas, op) ? OpSchemas[op] : undefined;
  if (!schema) fail([...path, op], `unknown operation '${op}' (${OPS})`);
  const r = (schema as (typeof OpSchemas)[string]).safeParse(v);
  if (r.success) return;
  const inner = r.error.issues[0];
  const at = [...path, ...inner.path.filter((p): p is string | number => typeof p !== 'symbol')];
  if (inner.code === 'invalid_union') opIssue((v as Record<string, unknown>)[op], at, fail);
  fail(at, describeIssue(inner));
}

function compile(y: ScenarioYaml, text: string, source: string, fail: Fail): Scenario {
  const deviceIndex = new Map(y.devices.map((d, i) => [d.name, i]));
  y.devices.forEach((d, i) => {
    if (deviceIndex.get(d.name) !== i) fail(['devices', i, 'name'], `device '${d.name}' is declared twice`);
  });
  const fdSet = new Set<number>();
  const tasks: ScenarioTask[] = [];
  // Each open makes one file; an fd (inherited across fork too) names it. A second bind of a
  // file is the client's error (its ioctl would refuse it), not the driver policy's.
  let files = 0;
  const bound = new Set<number>();
  const pending: {
    name: string;
    namePath: (string | number)[];
    ops: OpYaml[];
    path: (string | number)[];
    parent?: number;
    /** fd number → file */
    fds: Map<number, number>;
    /** The copy of a process with count > 1 this task is, or descends from: its children's suffix. */
    copy: string;
  }[] = [];
  y.processes.forEach((p, i) => {
    for (let c = 0; c < p.count; c++) {
      const copy = p.count > 1 ? `${c}` : '';
      pending.push({
        name: `${p.name}${copy}`,
        namePath: ['processes', i, 'name'],
        ops: p.program as OpYaml[],
        path: ['processes', i, 'program'],
        fds: new Map(),
        copy,
      });
    }
  });
  const taskNames = new Map<string, (string | number)[]>();
  // Tasks in order: the processes first, then the children their forks create.
  for (let t = 0; t < pending.length; t++) {
    const { name, namePath, ops, path, parent, fds, copy } = pending[t];
    const seen = taskNames.get(name);
    if (seen)
      fail(
        namePath,
        `a process or fork named '${name}' already exists (at ${seen.join('.')}); names must be unique${copy ? ' (copies of a process with count > 1 are numbered, and so are their forks)' : ''}`,
      );
    taskNames.set(name, namePath);
    const program: SysOp[] = [];
    ops.forEach((op, j) => {
      const here = [...path, j];
      if (j > 0 && ops[j - 1] === 'exit') fail(here, `${name} has exited: nothing runs after exit`);
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
          fds.set(v.fd, files++);
          fdSet.add(v.fd);
          program.push({ op: 'open', fd: v.fd, device: dev as number });
          break;
        }
        case 'ioctl_bind': {
          const fd = needOpen(val as number);
          const file = fds.get(fd) as number;
          if (bound.has(file))
            fail(
              [...here, key],
              `fd ${fd} of ${name} is already bound (its file was bound by an earlier ioctl_bind); a client binds a file once`,
            );
          bound.add(file);
          program.push({ op: 'bind', fd });
          break;
        }
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
            name: `${v.name}${copy}`,
            namePath: [...here, 'fork', 'name'],
            ops: v.program,
            path: [...here, 'fork', 'program'],
            parent: t,
            fds: new Map(fds),
            copy,
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
      badRequests: d.bad_requests,
    })),
    tasks,
    fdNumbers,
  };
}
