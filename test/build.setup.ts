/**
 * Vitest's global setup: the tests that run the `svmsim` command (bin/svmsim.js) run dist/, so it is
 * brought up to date with src/ once, before any of them, rather than by each (scripts/build.mjs).
 */
import { build, stale } from '../scripts/build.mjs';

export default function setup(): void {
  if (stale()) build();
}
