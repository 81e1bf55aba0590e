/**
 * One worker of the parallel search (parallel.ts starts it through parallel-boot.mjs): builds the
 * model from its module, searches its share of every level synchronously, and posts its outcome.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { type ParallelTask, searchShare } from './parallel.ts';
import { buildModel } from './swarm.ts';

const task = workerData as ParallelTask;
parentPort!.postMessage(searchShare(await buildModel(task.source), task));
