/**
 * One worker of the parallel search (parallel.ts starts it through boot.mjs): builds the
 * model from its module, searches its share of every level synchronously, and posts its outcome.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { buildModel } from '../source.ts';
import type { ParallelTask } from './layout.ts';
import { searchShare } from './share.ts';

const task = workerData as ParallelTask;
parentPort!.postMessage(searchShare(await buildModel(task.source), task));
