#!/usr/bin/env node
// Entry point of the `svmsim` command: runs the compiled JavaScript in dist/ (scripts/build.mjs,
// run by `prepare` on npm ci and npm pack). In a checkout, whose src/ sits beside dist/, dist/ is
// rebuilt first when src/ has changed since the last build, so an edit never runs stale.
import { existsSync } from 'node:fs';

const builder = new URL('../scripts/build.mjs', import.meta.url);
if (existsSync(new URL('../src/', import.meta.url)) && existsSync(builder)) {
  const { build, stale } = await import(builder.href);
  if (stale()) {
    if (process.stderr.isTTY)
      process.stderr.write('svmsim: src/ changed since the last build; building dist/\n');
    build();
  }
}
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv);
