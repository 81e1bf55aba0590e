/**
 * The HTML report: one self-contained file for a mailing-list thread or an issue. The header (verdict,
 * scenario, policy, results) is static HTML, readable with scripts off; the page script (page.js)
 * draws the swim lanes, the step list, the state at the selected step, the reference-count chart
 * and the reference graph from the ReportData embedded as JSON. Nothing is fetched: the libraries are
 * inlined and a Content-Security-Policy forbids every load, so it opens the same from file://.
 */
import { pageKindName } from '../../arch/x86/pgtable.ts';
import type { ViolationView } from '../describe.ts';
import type { ReportData } from '../snapshot.ts';
import { assets } from './assets.ts';

const kindTitle: Record<ViolationView['kind'], string> = {
  leak: 'Leak',
  'use-after-free': 'Use after free',
  refcount: 'Reference count misuse',
  disturbance: 'Disturbance',
  deadlock: 'Deadlock',
  capacity: 'Out of capacity',
  warning: 'Kernel warning',
  'null-deref': 'NULL pointer dereference',
  livelock: 'Livelock',
};

/** Text for HTML element content and quoted attribute values. */
const esc = (s: string | number): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Script text that cannot end its <script> element early: `</script` and `<!--` appear in JS only
 * inside strings, regular expressions and comments, where `<\/` and `\x21` read the same.
 */
const scriptText = (code: string): string =>
  code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\x21--');

/** JSON inside <script type="application/json">: no `<` at all, so nothing in the data can close it. */
const jsonText = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

const styleText = (css: string): string => css.replace(/<\/(style)/gi, '<\\/$1');

/** Everything may run inline; nothing may be loaded, from the network or from disk. */
const contentSecurityPolicy =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

function title(d: ReportData): string {
  const what = d.violation
    ? kindTitle[d.violation.kind]
    : d.outcome?.verdict === 'verified'
      ? 'Verified'
      : d.outcome?.verdict === 'incomplete'
        ? 'Incomplete'
        : 'No violation in this run';
  return `${what}: ${d.scenario.name} under ${d.policy}`;
}

const states = (n: number): string => `${n.toLocaleString('en-US')} states`;

function verdict(d: ReportData): string {
  const v = d.violation;
  const o = d.outcome;
  if (!v && o?.verdict === 'verified')
    return `<section class="verdict ok"><p>Verified over ${states(o.states)}: no leak, use-after-free, refcount misuse, disturbance or deadlock in any interleaving.</p></section>`;
  if (!v && o?.verdict === 'incomplete')
    return `<section class="verdict incomplete"><p>Incomplete: ${states(o.states)}, stopped by ${esc(o.stoppedBy ?? 'a limit')}. Nothing found so far, but the search did not finish: this is not a proof.</p></section>`;
  if (!v)
    return '<section class="verdict ok"><p>No violation in this run: one schedule, not every interleaving (<code>svmsim check</code> searches them all).</p></section>';
  const rows: string[] = [];
  if (v.cycle)
    rows.push(`<dt>cycle</dt><dd class="ids">${[...v.cycle, v.cycle[0]].map(esc).join(' → ')}</dd>`);
  if (v.leaked) rows.push(`<dt>left allocated</dt><dd class="ids">${v.leaked.map(esc).join(', ')}</dd>`);
  if (v.object) rows.push(`<dt>object</dt><dd class="ids">${esc(v.object)}</dd>`);
  if (v.actor) rows.push(`<dt>by</dt><dd class="ids">${esc(v.actor)}</dd>`);
  const refs = v.refs?.length
    ? `<details><summary>references still held (${v.refs.length})</summary><ul class="ids">${v.refs.map((r) => `<li>${esc(r)}</li>`).join('')}</ul></details>`
    : '';
  return `<section class="verdict bad" aria-label="violation">
<p><span class="kind">${esc(v.kind)}</span> ${esc(v.message)}</p>
${rows.length ? `<dl>${rows.join('')}</dl>` : ''}${refs}
</section>`;
}

function facts(d: ReportData): string {
  const objects = new Set(d.snapshots.flatMap((s) => s.objects.map((o) => o.id))).size;
  const rows = [
    ['scenario', `<b>${esc(d.scenario.name)}</b> — ${esc(d.scenario.description)}`],
    ['policy', `<b>${esc(d.policy)}</b>`],
    ['trace', `${d.steps.length} steps by ${d.actors.length} actors, ${objects} objects`],
    ['svmsim', `${esc(d.svmsim)}, <code>svmsim ${esc(d.command)}</code>`],
  ];
  return `<dl class="facts">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

function results(d: ReportData): string {
  if (!d.results?.length) return '';
  const num = (n: number) => n.toLocaleString('en-US');
  const body = d.results
    .map(
      (
        r,
      ) => `<tr class="${esc(r.verdict)}"><td>${esc(r.scenario)}</td><td>${esc(r.policy)}</td><td>${esc(r.verdict)}</td>
<td>${esc(r.violation)}</td><td class="n">${r.trace ? `${r.trace} steps` : '-'}</td><td class="n">${num(r.states)}</td>
<td class="n">${num(r.transitions)}</td><td class="n">${r.seconds.toFixed(2)} s</td></tr>`,
    )
    .join('\n');
  return `<table class="results"><caption>svmsim check</caption>
<thead><tr><th>scenario</th><th>policy</th><th>verdict</th><th>violation</th><th>trace</th><th>states</th><th>transitions</th><th>time</th></tr></thead>
<tbody>${body}</tbody></table>`;
}

const legendItem = (cls: string, text: string): string =>
  `<li><span class="swatch ${cls}"></span>${text}</li>`;

/** The lanes, steps, graph, chart and state of a trace, drawn by page.js. */
function trace(highlighted: string): string {
  return `<noscript><p class="noscript">The lanes, steps, graph and chart need JavaScript; the trace is in the JSON below.</p></noscript>
<main>
<section class="panel lanes-panel"><h2>Actors <small>one lane per actor, a mark per step; click a mark or use ← → ↑ ↓</small></h2>
<div id="lanes" class="lanes" role="group" aria-label="swim lanes"></div></section>
<div class="row">
<section class="panel"><h2>Steps</h2><ol id="step-list" class="step-list" aria-label="steps"></ol></section>
<section class="panel"><h2>References <small id="graph-caption"></small></h2>
<div id="graph" class="graph" role="img" aria-label="reference graph at the selected step"></div>
<ul class="legend">${highlighted ? legendItem('hl', highlighted) : ''}${legendItem('changed', 'changed in this step')}${legendItem('freed', 'freed')}${legendItem('holder', 'holder that is not an object')}${legendItem('cache', 'cached translation (holds no reference)')}</ul>
</section>
</div>
<div class="row top">
<section class="panel"><h2 id="step-title">Step</h2><div id="step-detail"></div></section>
<section class="panel"><h2>Reference counts <small>per object, after each step</small></h2><div id="chart" class="chart"></div></section>
</div>
<section class="panel"><h2 id="state-title">State</h2><div id="state"></div></section>
</main>`;
}

export function renderHtml(data: ReportData): string {
  const a = assets();
  const names = { pageKinds: pageKindName };
  const v = data.violation;
  const highlighted = v?.cycle ? 'leak cycle' : v?.object ? `${esc(v.object)}, the ${esc(v.kind)}` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="svmsim ${esc(data.svmsim)}">
<title>svmsim: ${esc(title(data))}</title>
<style>${styleText(a.libraryCss)}</style>
<style>${styleText(a.pageCss)}</style>
</head>
<body>
<header>
<h1><span class="tool">svmsim</span> ${esc(title(data))}</h1>
${verdict(data)}
${facts(data)}
${results(data)}
<details class="source"><summary>scenario ${esc(data.scenario.name)}</summary><pre>${esc(data.scenario.text)}</pre></details>
</header>
${data.steps.length ? trace(highlighted) : '<main><p class="no-trace">No counterexample, so no trace to show.</p></main>'}
<footer>svmsim ${esc(data.svmsim)} · drawn with ${a.libraries.map((l) => esc(l.name)).join(', ')} (MIT licence, notices in the inlined code)</footer>
<script type="application/json" id="svmsim-data">${jsonText(data)}</script>
<script type="application/json" id="svmsim-names">${jsonText(names)}</script>
<script type="text/x-cytoscape-style" id="svmsim-graph-style">${scriptText(a.graphStyle)}</script>
${a.libraries.map((l) => `<script data-library="${esc(l.name)}">${scriptText(l.code)}</script>`).join('\n')}
<script>${scriptText(a.pageScript)}</script>
</body>
</html>
`;
}
