/*
 * Peterson's mutual exclusion for two processes, looping forever (src/check/examples/peterson.ts,
 * variant 'correct'). One shared-variable access per transition; 32 reachable states.
 *
 * The process's program counter is svmsim's pc word: L0..L4 are pcs 0..4. A test and the jump it
 * decides are one transition (SPIN folds the goto into the test's edge), as in svmsim's step.
 */
bit flag[2];
bit turn;

active [2] proctype Peterson() {
L0: flag[_pid] = 1;
L1: turn = 1 - _pid;
L2: if
    :: flag[1 - _pid] == 0 -> goto L4
    :: else
    fi;
L3: if
    :: turn == _pid -> goto L4
    :: else -> goto L2
    fi;
L4: flag[_pid] = 0;
    goto L0
}
