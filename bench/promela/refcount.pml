/*
 * A reference-counted object shared by an owner and N users, freed when the count drops to zero:
 * src/check/examples/refcount.ts, variant 'correct' (get is kref_get_unless_zero). The owner drops
 * its initial reference once, at any time; each user does R rounds of get then put, and stops at
 * a get that finds the object gone. 2 (2R+1)^N states.
 *
 * State: count, freed, uaf as in svmsim; the owner's and each user's place is its program counter
 * and, for a user, its round r (svmsim's user word is 2r + phase, or 2R when done). A user stopped
 * by a failed get is set to round R, so it is in the same state as one that finished its rounds.
 */
#ifndef N
#define N 3
#endif
#ifndef R
#define R 2
#endif

byte count = 1;
bit freed;
bit uaf;

/* count--, freeing at zero; freeing twice is as much a use after free as touching freed memory. */
inline put() {
  if
  :: freed -> uaf = 1
  :: else
  fi;
  count--;
  if
  :: count == 0 -> freed = 1
  :: else
  fi
}

active [N] proctype User() {
  byte r = 0;
end:
  do
  :: d_step { r < R && count > 0; count++ };
     d_step { put(); r++ }
  :: d_step { r < R && count == 0; r = R }
  od
}

active proctype Owner() {
  d_step { put() };
end:
  false
}
