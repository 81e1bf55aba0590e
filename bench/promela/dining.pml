/*
 * Dining philosophers, each eating once, forks taken in increasing order (the last philosopher
 * takes fork 0 first): src/check/examples/dining.ts, variant 'ordered'. No deadlock.
 *
 * State: each philosopher's program counter (svmsim's pc word, 0..4) and fork[], 1 when held.
 * Taking a fork is one test-and-set transition (d_step); putting one down is one assignment. A
 * philosopher that is done blocks at an end label instead of terminating, so that process
 * removal adds no states.
 */
#ifndef N
#define N 5
#endif

bit fork[N];

/* The forks philosopher _pid takes first and second: expressions, not variables, so that they add
 * nothing to the state. */
#define FIRST  (_pid == N - 1 -> 0 : _pid)
#define SECOND (_pid == N - 1 -> _pid : (_pid + 1) % N)

active [N] proctype Phil() {
  d_step { fork[FIRST] == 0; fork[FIRST] = 1 };
  d_step { fork[SECOND] == 0; fork[SECOND] = 1 };
  fork[SECOND] = 0;
  fork[FIRST] = 0;
end:
  false
}
