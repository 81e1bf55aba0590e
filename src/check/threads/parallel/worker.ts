/**
 * One worker of the parallel search (parallel.ts starts it through boot.mjs): builds the
 * model from its module, searches its share of every level synchronously, and posts its outcome;
 * a pool's thread does that for each search it is given.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { buildModel } from '../source.ts';
import type { ParallelTask } from './layout.ts';
import { searchShare } from './share.ts';

if ((workerData as { pooled?: boolean }).pooled) {
  // A pool's thread (parallel.ts ParallelPool): one search after another, each posted to it.
  parentPort!.on('message', async (task: ParallelTask) => {
    parentPort!.postMessage(searchShare(await buildModel(task.source), task));
  });
} else {
  const task = workerData as ParallelTask;
  parentPort!.postMessage(searchShare(await buildModel(task.source), task));
}
