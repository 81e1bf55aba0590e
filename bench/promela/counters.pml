/*
 * N independent counters, each counting from 0 to K (src/check/examples/counters.ts).
 * One step: a counter below K goes up by one. (K+1)^N states.
 *
 * The d_step makes the test and the increment one transition, as in svmsim's step. The loop has
 * no exit: a counter at K blocks at the end-labelled loop head, so there is no extra "broken out"
 * or "terminated" state, and pan accepts the blocked process as a valid end state.
 */
#ifndef N
#define N 4
#endif
#ifndef K
#define K 9
#endif

active [N] proctype Counter() {
  byte c = 0;
end:
  do
  :: d_step { c < K; c++ }
  od
}
