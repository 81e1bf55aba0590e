/** A user policy that takes a built-in's name (test/cli.test.ts). */
import { v4_4 } from 'svmsim/policy';

export default { ...v4_4, name: 'e57e58bd' };
