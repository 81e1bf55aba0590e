/**
 * Building a system from plain data, so that a worker thread (svmsim check --swarm) can build
 * its own copy: models are not transferable between threads.
 */
import { parseScenario } from '../scenario/load.ts';
import { SvmSystem } from '../system/system.ts';
import { resolvePolicy } from './policy.ts';

export async function buildSystem(
  scenarioText: string,
  scenarioSource: string,
  policy: string,
): Promise<SvmSystem> {
  return new SvmSystem(parseScenario(scenarioText, scenarioSource), await resolvePolicy(policy));
}
