/**
 * Building a system from plain data, so that a worker thread (svmsim check --swarm) can build
 * its own copy: models are not transferable between threads.
 */
import { parseScenario } from '../scenario/load.ts';
import { SvmSystem } from '../system/system.ts';
import { resolvePolicy } from './policy.ts';
import { watchSteps } from './stepwatch.ts';

/** `watch`: the step watch of a guarded check (stepwatch.ts), which this thread's steps write into. */
export async function buildSystem(
  scenarioText: string,
  scenarioSource: string,
  policy: string,
  watch?: SharedArrayBuffer,
): Promise<SvmSystem> {
  const sys = new SvmSystem(parseScenario(scenarioText, scenarioSource), await resolvePolicy(policy));
  if (watch) watchSteps(watch, sys);
  return sys;
}
