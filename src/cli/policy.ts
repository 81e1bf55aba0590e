/**
 * Finding a policy: a built-in name (or alias), or a module a user wrote against the policy API
 * (docs/policies.md), loaded from a .ts or .js file. A module's default export is the policy.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { importModule } from '../check/index.ts';
import { builtinPolicies, findPolicy } from '../drivers/iommu/intel/policies/index.ts';
import { bind, fault, jumpTargets, release, type SvmPolicy, unbind } from '../drivers/iommu/intel/svm.ts';
import { InputError } from '../scenario/load.ts';
import type { PolicyIdentity } from './tracefile.ts';

const FUNCS = ['bind', 'unbind', 'release', 'fault'] as const;
const known: Record<(typeof FUNCS)[number], Record<string, unknown>> = { bind, unbind, release, fault };

export async function resolvePolicy(arg: string): Promise<SvmPolicy> {
  const p = findPolicy(arg);
  if (p) return p;
  if (!/\.(ts|mts|js|mjs)$/.test(arg)) {
    const names = builtinPolicies.flatMap((b) => [b.name, ...(b.aliases ?? [])]).join(', ');
    throw new InputError(
      arg,
      0,
      0,
      '--policy',
      `unknown policy (built-in: ${names}; or a path to a .ts/.mts/.js policy module)`,
    );
  }
  const file = resolve(arg);
  if (!existsSync(file)) throw new InputError(arg, 0, 0, '--policy', 'no such policy file');
  const commonJs = commonJsReason(file);
  if (commonJs !== null)
    throw new InputError(arg, 0, 0, '--policy', `a policy is an ES module, and ${commonJs}`);
  let mod: { default?: unknown };
  try {
    // TypeScript through Node's type stripping, or tsx's loader registered on demand (check/).
    mod = await importModule(pathToFileURL(file).href);
  } catch (e) {
    throw loadError(arg, file, e);
  }
  return checkPolicy(mod.default, arg);
}

/**
 * A policy must load as an ES module: as CommonJS, a TypeScript loader compiles its imports of
 * svmsim/policy into require()s of a second copy of svmsim, whose steps and routines are not the ones
 * the checker runs. Says how to fix a .ts or .js file that Node would load as CommonJS (.cts, .cjs,
 * or a .ts/.js file whose nearest package.json has no "type": "module").
 */
function commonJsReason(file: string): string | null {
  if (/\.(cts|cjs)$/.test(file)) return 'it is CommonJS by its extension; name it .mts or .mjs';
  if (/\.(mts|mjs)$/.test(file)) return null;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      let type: unknown;
      try {
        type = (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: unknown }).type;
      } catch {
        return null;
      }
      return type === 'module'
        ? null
        : `${pkg} does not say "type": "module", so Node loads it as CommonJS; add "type": "module" there (npm pkg set type=module), or name the policy .mts`;
    }
    if (dirname(dir) === dir) return null;
  }
}

/** Checks a user's policy object: its shape, and that every jump target its steps need is listed. */
export function checkPolicy(p: unknown, file: string): SvmPolicy {
  const bad = (field: string, msg: string): never => {
    throw new InputError(file, 0, 0, field, msg);
  };
  if (typeof p !== 'object' || p === null)
    return bad(
      'default export',
      'expected a policy object (export default { name, bind, unbind, release, fault })',
    );
  // Read every field once, here: a getter that throws is the module's error, not svmsim's.
  let o: Record<string, unknown>;
  try {
    o = { ...(p as Record<string, unknown>) };
  } catch (e) {
    return bad('default export', `reading the policy object threw: ${(e as Error).message ?? e}`);
  }
  if (typeof o.name !== 'string' || o.name === '') bad('name', 'expected a non-empty string');
  if (findPolicy(o.name as string))
    bad(
      'name',
      `'${o.name}' is a built-in policy's name; give yours its own, so that results and traces cannot be mistaken for the built-in's`,
    );
  for (const f of FUNCS) {
    const steps = o[f];
    if (!Array.isArray(steps) || steps.length === 0) bad(f, 'expected a non-empty array of steps');
    const list = steps as unknown[];
    list.forEach((s, i) => {
      if (typeof s !== 'function')
        bad(
          `${f}[${i}]`,
          'expected a step function (from bind, unbind, release or fault of svm.ts, or your own)',
        );
    });
    const labels = new Set(list.map((s) => (s as { name: string }).name));
    list.forEach((s, i) => {
      for (const target of jumpTargets.get(s as never) ?? []) {
        if (!labels.has(target))
          bad(
            `${f}[${i}]`,
            `step '${(s as { name: string }).name}' may jump to '${target}', which this list does not contain`,
          );
      }
    });
    if (!list.some((s) => Object.values(known[f]).includes(s)))
      bad(f, `none of these steps is one of svm.ts's ${f} steps; did you mix up the lists?`);
  }
  return { summary: `policy from ${file}`, ...(o as object) } as SvmPolicy;
}

/**
 * Why a policy module did not load, at its place in the user's file: a syntax error as the
 * TypeScript transform reports it (`file:line:col: ERROR: text`), or an exception thrown while
 * the module ran, at its innermost frame in that file.
 */
function loadError(arg: string, file: string, e: unknown): InputError {
  const err = e instanceof Error ? e : new Error(String(e));
  const syntax = /^(.*):(\d+):(\d+): ERROR: (.*)$/m.exec(err.message);
  // tsx names an .mts file as .ts in its transform errors: a path that does not exist is the module's own.
  const where = syntax && existsSync(syntax[1]) ? syntax[1] : arg;
  if (syntax) return new InputError(where, +syntax[2], +syntax[3], '', `syntax: ${syntax[4]}`);
  const msg = err.message.split('\n')[0];
  const frame = (err.stack ?? '').split('\n').find((l) => l.includes(file));
  const pos = frame ? /:(\d+):(\d+)\)?$/.exec(frame) : null;
  const hint = /require\(\)/.test(msg)
    ? ' (a .ts file outside an ESM package loads as CommonJS: name it .mts)'
    : '';
  const what = `cannot load the module: ${err.name === 'Error' ? '' : `${err.name}: `}${msg}${hint}`;
  return pos ? new InputError(arg, +pos[1], +pos[2], '', what) : new InputError(arg, 0, 0, '--policy', what);
}

/**
 * How a trace names the policy it ran under (tracefile.ts): a built-in by name, with the sha256 of
 * its step lists; a user's module by its path, with the sha256 of the file.
 */
export function policyIdentity(arg: string, p: SvmPolicy): PolicyIdentity {
  const hash = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');
  if (findPolicy(arg)) {
    const steps = FUNCS.map((f) => `${f}:\n${p[f].map((s) => `${s.name}\n${String(s)}`).join('\n')}`);
    return { name: p.name, sha256: hash(steps.join('\n')) };
  }
  return { name: p.name, sha256: hash(readFileSync(resolve(arg))), path: arg };
}
