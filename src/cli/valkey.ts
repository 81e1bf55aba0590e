/**
 * `svmsim check --valkey URL[,URL...]` and `svmsim worker --valkey URL`: the distributed search
 * (check/distributed/) on svmsim's model. The search records what a worker needs to build the same
 * system, the scenario's text and the policy's name or path, and what it must agree with: svmsim's
 * version and the sha256 of the scenario's text and of the policy's module. A worker on another
 * machine builds the system from its own copy of svmsim (cli/factory.ts), and refuses to join when
 * any of those differs.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ExploreOptions,
  explore,
  joinSearch,
  type Model,
  type ModelSource,
  type SearchResult,
  storedSearch,
  ValkeyError,
} from '../check/index.ts';
import { findPolicy } from '../drivers/iommu/intel/policies/index.ts';
import type { Scenario } from '../scenario/types.ts';
import { VERSION } from './version.ts';

export interface ValkeyOptions {
  urls: string[];
  /** The search's name in the store; 'default' by default. */
  search?: string;
  resume?: boolean;
  /** Worker processes this command starts on this machine (1 by default; 0: only those that join). */
  localWorkers?: number;
  claimAfterMs?: number;
}

// factory.ts beside this module, or factory.js once compiled (as check.ts's systemSource).
const factory = fileURLToPath(
  new URL(`./factory.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url),
);
const bin = fileURLToPath(new URL('../../bin/svmsim.js', import.meta.url));
const sha256 = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

/** A policy argument as every worker must load it: a built-in name, or an absolute path. */
export function policyRef(arg: string): string {
  return findPolicy(arg) ? arg : resolve(arg);
}

function identityOf(sc: Scenario, policy: string): Record<string, string> {
  return {
    svmsim: VERSION,
    scenario: sc.source,
    'scenario sha256': sha256(sc.text),
    policy,
    'policy sha256': findPolicy(policy) ? 'built-in' : sha256(readFileSync(policy)),
  };
}

/** The system's source for the workers: this copy's factory, with the scenario's text. */
const sourceOf = (sc: Scenario, policy: string): ModelSource => ({
  module: factory,
  exportName: 'buildSystem',
  args: [sc.text, sc.source, policy],
});

/**
 * The search's source as this worker builds it (its own factory), once the recorded identity agrees
 * with this copy of svmsim and its inputs here.
 */
async function localize(source: ModelSource, identity: Record<string, string>): Promise<ModelSource> {
  const refuse = (what: string): never => {
    throw new ValkeyError(`refusing to join: ${what}`, 2);
  };
  if (source.exportName !== 'buildSystem' || !Array.isArray(source.args) || source.args.length !== 3) {
    refuse("the search is not of svmsim's model (started by another program)");
  }
  const [text, scenario, policy] = source.args as [string, string, string];
  if (identity.svmsim !== VERSION)
    refuse(`the search was started by svmsim ${identity.svmsim}, this is ${VERSION}`);
  if (sha256(text) !== identity['scenario sha256'])
    refuse(`the scenario ${scenario}'s text does not match its sha256`);
  if (!findPolicy(policy)) {
    if (!existsSync(policy))
      refuse(`the search's policy module ${policy} is not on this machine (same path needed)`);
    const here = sha256(readFileSync(policy));
    if (here !== identity['policy sha256']) {
      refuse(
        `the policy module ${policy} here has sha256 ${here}, the search's ${identity['policy sha256']}`,
      );
    }
  }
  return { module: factory, exportName: 'buildSystem', args: [text, scenario, policy] };
}

/** The scenario text, source and policy of a stored search, for `check --valkey --resume` alone. */
export async function storedInputs(
  o: ValkeyOptions,
): Promise<{ text: string; source: string; policy: string } | null> {
  const s = await storedSearch(o.urls, o.search);
  if (s === null) return null;
  const [text, source, policy] = s.source.args as [string, string, string];
  return { text, source, policy };
}

/**
 * The distributed search of one scenario under one policy (explore's `valkey`), with `options` as
 * for any other search, and this machine's own workers, stopped when it ends.
 */
export async function valkeySearch(
  sys: Model,
  sc: Scenario,
  policyArg: string,
  o: ValkeyOptions,
  options: ExploreOptions,
): Promise<SearchResult> {
  const policy = policyRef(policyArg);
  const workers: { child: ChildProcess; exit: number | null; stderr: string }[] = [];
  const name = o.search ?? 'default';
  try {
    return await explore(sys, {
      ...options,
      source: sourceOf(sc, policy),
      valkey: {
        urls: o.urls,
        name,
        resume: o.resume,
        identity: identityOf(sc, policy),
        claimAfterMs: o.claimAfterMs,
        onRunning: () => {
          for (let i = 0; i < (o.localWorkers ?? 1); i++) workers.push(startWorker(o.urls, name));
        },
        check: () => {
          if (workers.length === 0 || workers.some((w) => w.exit === null)) return;
          if (workers.every((w) => w.exit === 0)) return;
          throw new Error(
            `every worker this command started has exited before the search ended:\n${workers.map((w) => w.stderr.trim()).join('\n')}`,
          );
        },
      },
    });
  } finally {
    for (const w of workers) if (w.exit === null) w.child.kill('SIGTERM');
  }
}

function startWorker(urls: string[], name: string) {
  const child = spawn(process.execPath, [bin, 'worker', '--valkey', urls.join(','), '--search', name], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const w = { child, exit: null as number | null, stderr: '' };
  child.stderr?.on('data', (d: Buffer) => {
    w.stderr += d.toString();
  });
  child.on('exit', (code, signal) => {
    w.exit = code ?? (signal ? 128 : 1);
  });
  return w;
}

/** `svmsim worker --valkey URL`: joins the running search, serves it to its end. */
export async function workerCommand(o: {
  urls: string[];
  search?: string;
  waitSeconds?: number;
  quiet?: boolean;
}): Promise<number> {
  const say = (s: string) => {
    if (!o.quiet) process.stderr.write(`${s}\n`);
  };
  const summary = await joinSearch({
    urls: o.urls,
    name: o.search,
    waitSeconds: o.waitSeconds,
    localize,
    onJoined: ({ identity }) =>
      say(
        `svmsim worker: joined search '${o.search ?? 'default'}': ${identity.scenario} under ${identity.policy}`,
      ),
  });
  say(
    `svmsim worker: ${summary.end}; expanded ${summary.chunks} chunks` +
      (summary.claimed ? `, ${summary.claimed} of them claimed from a worker that stopped answering` : ''),
  );
  return 0;
}
