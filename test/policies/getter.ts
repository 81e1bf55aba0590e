/** A policy object whose getter throws when svmsim reads it (test/cli.test.ts). */
import { e57e58bd } from 'svmsim/policy';

export default {
  ...e57e58bd,
  name: 'getter',
  get fault(): never {
    throw new Error('no fault list today');
  },
};
