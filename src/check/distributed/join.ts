/**
 * A worker process for any model (`node --import tsx src/check/distributed/join.ts URLS [NAME]`):
 * joins the search and builds the model from the module the search records, as it is. For a search
 * of models this repository's tests and benchmarks build; `svmsim worker` is the command for
 * svmsim's own model, and checks the version and inputs before it builds one.
 */
import { ValkeyError } from './valkey.ts';
import { joinSearch } from './worker.ts';

const [urls, name] = process.argv.slice(2);
try {
  const summary = await joinSearch({ urls: urls.split(','), name });
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} catch (e) {
  process.stderr.write(`join: ${(e as Error).message}\n`);
  process.exitCode = e instanceof ValkeyError ? e.exitCode : 4;
}
