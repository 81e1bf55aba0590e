// Builds dist/, what the package runs: src/ compiled by tsc (tsconfig.build.json: JavaScript and
// declarations, imports rewritten from .ts to .js), and the files src/ reads at run time (the
// built-in scenarios, the HTML report's page). Run by `npm run build`, by `prepare` (so by `npm ci`
// and `npm pack`), and, in a checkout whose src/ changed since, by bin/svmsim.js and the tests.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
/** Written last: its time is the build's. */
const stamp = join(dist, '.built');
/** What src/ reads at run time besides its modules; copied as they are. */
const asset = (file) => /\.(yaml|css|cycss)$/.test(file) || /report\/html\/page\.js$/.test(file);

function* files(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) yield* files(path);
    else yield path;
  }
}

const configs = [join(root, 'tsconfig.json'), join(root, 'tsconfig.build.json')];
const newer = (paths, than) => paths.some((f) => statSync(f).mtimeMs > than);

/** Whether dist/ is missing or older than a file of src/ or the build's configuration. */
export function stale() {
  if (!existsSync(stamp)) return true;
  return newer([...files(src), ...configs], statSync(stamp).mtimeMs);
}

/** Whether the file of src/ that a file of dist/ was compiled or copied from is still there. */
const hasSource = (file) => {
  const from = join(src, relative(dist, file));
  return existsSync(from) || existsSync(from.replace(/\.js$|\.d\.ts$/, '.ts'));
};

export function build() {
  // From scratch when the configuration changed; otherwise tsc compiles what changed (its
  // .tsbuildinfo), and a file whose source is gone is removed, so that a module deleted or renamed
  // in src/ does not live on in dist/, nor in the package.
  if (!existsSync(stamp) || newer(configs, statSync(stamp).mtimeMs)) rmSync(dist, { recursive: true, force: true });
  else for (const f of files(dist)) if (!/\/\.[a-z]+$/.test(f) && !hasSource(f)) rmSync(f);
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${r.status})`);
  for (const f of files(src)) {
    if (!asset(f)) continue;
    const to = join(dist, relative(src, f));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(f, to);
  }
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    build();
  } catch (e) {
    process.stderr.write(`build: ${e.message}\n`);
    process.exit(1);
  }
}
