/**
 * `svmsim/scenario`: scenarios (built-in by name, or YAML files and text, docs/scenarios.md), and a
 * scenario under a policy as a Model for `svmsim/check`'s explore:
 *
 *   const sys = new SvmSystem(loadScenario('seed-accel-dma'), e57e58bd);
 *   const result = await explore(sys, { por: true, symmetry: true });
 */

export { SvmSystem } from '../system/system.ts';
export { builtinScenarios, InputError, loadScenario, parseScenario } from './load.ts';
export type { Scenario, ScenarioDevice, ScenarioTask } from './types.ts';
