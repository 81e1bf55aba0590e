/**
 * One search of a swarm in its own worker thread (swarm.ts starts it through boot.mjs): builds
 * the model from its module, searches, and posts the outcome.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { buildModel } from '../source.ts';
import { searchInOrder, type WorkerTask } from './swarm.ts';

const task = workerData as WorkerTask;
parentPort!.postMessage(await searchInOrder(await buildModel(task.source), task));
