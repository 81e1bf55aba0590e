/**
 * Loading a scenario for a model: the loader's checks, then the model's capacity (dimsFor), so
 * that a scenario too big for the state vector is an input error at its YAML field, reported
 * before any search starts.
 */
import { InputError, loadScenario, locate, parseScenario } from '../scenario/load.ts';
import type { Scenario } from '../scenario/types.ts';
import { CapacityError, dimsFor } from '../system/system.ts';

export function checkCapacity(sc: Scenario): Scenario {
  try {
    dimsFor(sc);
  } catch (e) {
    if (!(e instanceof CapacityError)) throw e;
    const pos = locate(sc.text, e.path);
    throw new InputError(sc.source, pos.line, pos.col, e.path.join('.'), e.message);
  }
  return sc;
}

/** A built-in scenario name or a YAML file, checked for meaning and capacity. */
export const loadModelScenario = (arg: string): Scenario => checkCapacity(loadScenario(arg));

/** A scenario's text (from a trace file, or for a worker thread), checked as a file would be. */
export const parseModelScenario = (text: string, source: string): Scenario =>
  checkCapacity(parseScenario(text, source));
