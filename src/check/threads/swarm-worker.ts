/**
 * One search of a swarm in its own worker thread (swarm.ts starts it through swarm-boot.mjs): builds
 * the model from its module, searches, and posts the outcome.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { buildModel, searchInOrder, type WorkerTask } from './swarm.ts';

const task = workerData as WorkerTask;
parentPort!.postMessage(await searchInOrder(await buildModel(task.source), task));
