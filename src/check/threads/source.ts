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
  const mod = (await import(moduleUrl(source))) as Record<string, unknown>;
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
