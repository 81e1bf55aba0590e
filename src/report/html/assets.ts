/**
 * What the HTML report inlines: the browser builds of its libraries, read from node_modules, and the
 * page's own script and stylesheet beside this file. Read once per process.
 *
 * cytoscape (MIT) draws the reference graph, cytoscape-dagre (MIT, dagre bundled) lays it out in
 * ranks, uPlot (MIT) draws the reference-count chart. Their licence headers stay in the inlined text.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface Assets {
  /** Scripts in load order: cytoscape before cytoscape-dagre, which registers itself on it. */
  libraries: { name: string; code: string }[];
  libraryCss: string;
  pageScript: string;
  pageCss: string;
  /** The reference graph's stylesheet, in cytoscape's syntax. */
  graphStyle: string;
}

const require = createRequire(import.meta.url);

/** A file of an installed package, by a specifier its `exports` allow. */
const packageFile = (specifier: string): string => readFileSync(require.resolve(specifier), 'utf8');

/** A browser looks for a source map only with its devtools open, and from file:// finds none. */
const withoutSourceMap = (code: string): string => code.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n');

const own = (file: string): string => readFileSync(new URL(file, import.meta.url), 'utf8');

let cached: Assets | undefined;

export function assets(): Assets {
  cached ??= {
    libraries: [
      { name: 'cytoscape', code: packageFile('cytoscape/dist/cytoscape.min.js') },
      // Its main file is the UMD build: as a plain script it registers itself on window.cytoscape.
      { name: 'cytoscape-dagre', code: packageFile('cytoscape-dagre') },
      { name: 'uplot', code: packageFile('uplot/dist/uPlot.iife.min.js') },
    ].map((l) => ({ name: l.name, code: withoutSourceMap(l.code) })),
    libraryCss: packageFile('uplot/dist/uPlot.min.css'),
    pageScript: own('./page.js'),
    pageCss: own('./page.css'),
    graphStyle: own('./graph.cycss'),
  };
  return cached;
}
