/**
 * One built-in scenario under one built-in policy, searched exhaustively: the verdict, the states,
 * and for a violation its trace in words and the violation described (for the oracle and the
 * fidelity tests).
 */
import { explore, type SearchOptions } from '../src/check/index.ts';
import { findPolicy } from '../src/drivers/iommu/intel/policies/index.ts';
import { describeViolation } from '../src/report/describe.ts';
import { traceSteps } from '../src/report/text.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { SvmSystem } from '../src/system/system.ts';

export async function check(scenario: string, policy: string, o: SearchOptions = { order: 'bfs' }) {
  const sys = new SvmSystem(loadScenario(scenario), findPolicy(policy)!);
  const r = await explore(sys, o);
  if (!r.violation) return { verdict: r.verdict, states: r.stats.states };
  const { steps, final } = traceSteps(sys, r.violation.trace);
  return {
    verdict: r.verdict,
    states: r.stats.states,
    steps,
    v: describeViolation(sys, final, r.violation.code, r.violation.trace),
  };
}
