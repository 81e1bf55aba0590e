/**
 * How a worker thread gets its model. Models cannot be sent to a worker (they hold functions and
 * closures), so each thread builds its own from a module: `source` names the module, the function it
 * exports, and the (structured-cloneable) arguments to call it with. Every thread must get the same
 * model from the same source.
 */

import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Model } from '../model.ts';

/** Where a worker gets its model: `(await import(module))[exportName](...args)`. */
export interface ModelSource {
  /** An absolute path or a file: URL. */
  module: string;
  /** A function export returning the Model (or a promise of one). */
  exportName: string;
  args?: unknown[];
}

/** The module's URL; workers resolve nothing relative to the caller, so the path must be absolute. */
export function moduleUrl(source: ModelSource): string {
  if (source.module.startsWith('file:')) return source.module;
  if (!isAbsolute(source.module)) {
    throw new Error(`the model module must be an absolute path or a file: URL, not '${source.module}'`);
  }
  return pathToFileURL(source.module).href;
}

/** Imports `source.module` and calls its export; says which part is wrong when it cannot. */
export async function buildModel(source: ModelSource): Promise<Model> {
  const mod = (await importModule(moduleUrl(source))) as Record<string, unknown>;
  const make = mod[source.exportName];
  if (typeof make !== 'function') {
    throw new Error(`${source.module} has no function export '${source.exportName}' to build the model`);
  }
  const model = (await make(...(source.args ?? []))) as Model;
  if (typeof model?.step !== 'function' || !Number.isInteger(model.stateWords)) {
    throw new Error(`${source.module}: ${source.exportName}(...) did not return a Model`);
  }
  return model;
}

/**
 * The module a worker thread starts from, beside the module at `here` (import.meta.url of the code
 * starting it): compiled, the worker's own module (`compiled`); run from the TypeScript sources,
 * `boot`, plain JavaScript that registers tsx's loader in the worker first (on Node 20 a worker gets
 * no loader hooks from its execArgv, nodejs/node#47747) and then imports the worker's .ts module.
 */
export const workerModule = (here: string, boot = './boot.mjs', compiled = './worker.js'): URL =>
  new URL(here.endsWith('.ts') ? boot : compiled, here);

/**
 * Imports a module by URL, TypeScript included. Where Node cannot load TypeScript by itself (Node 20;
 * 22.18 and later strip types) and no loader is registered (under tsx or vitest one is), tsx's is
 * registered on first need in this thread, when tsx is installed. A module whose first load failed
 * is cached failed by its URL, so the retry asks for it under another.
 */
export async function importModule(url: string): Promise<Record<string, unknown>> {
  try {
    return await import(url);
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e;
  }
  await registerTsx();
  return import(`${url}${url.includes('?') ? '&' : '?'}tsx`);
}

let tsxRegistered = false;

async function registerTsx(): Promise<void> {
  if (tsxRegistered) return;
  let api: { register(): unknown };
  try {
    // A specifier in a variable: tsx is no dependency of the package, only the user's choice.
    const specifier = 'tsx/esm/api';
    api = await import(specifier);
  } catch {
    throw new Error(
      `this Node (${process.version}) cannot load TypeScript by itself, and tsx is not installed: ` +
        'npm install --save-dev tsx, or use Node 22.18 or later, or compile the module to .js',
    );
  }
  api.register();
  tsxRegistered = true;
}
