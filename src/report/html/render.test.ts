import { beforeAll, describe, expect, it } from 'vitest';
import { explore } from '../../check/index.ts';
import { findPolicy } from '../../drivers/iommu/intel/policies/index.ts';
import { loadScenario } from '../../scenario/load.ts';
import { SvmSystem } from '../../system/system.ts';
import { describeViolation } from '../describe.ts';
import { type ReportData, reportData } from '../snapshot.ts';
import { traceSteps } from '../text.ts';
import { renderHtml } from './render.ts';

/** The report of the shortest violating trace of `scenario` under `policy`, as `svmsim check` finds it. */
async function liveReport(scenario: string, policy: string): Promise<ReportData> {
  const sys = new SvmSystem(loadScenario(scenario), findPolicy(policy)!);
  const r = await explore(sys, {});
  if (!r.violation) throw new Error(`${scenario} under ${policy}: expected a violation, got ${r.verdict}`);
  const { final } = traceSteps(sys, r.violation.trace);
  return reportData(
    sys,
    'check',
    r.violation.trace,
    describeViolation(sys, final, r.violation.code),
    '0.1.0',
  );
}

const embedded = (html: string): unknown =>
  JSON.parse(/<script type="application\/json" id="svmsim-data">(.*?)<\/script>/s.exec(html)![1]);

describe('renderHtml', () => {
  let leak: ReportData;
  let uaf: ReportData;
  beforeAll(async () => {
    leak = await liveReport('seed-accel-mmap', 'v4.4');
    uaf = await liveReport('seed-accel-dma', 'e57e58bd-no-release-clear');
  });

  it('is one file that loads nothing', () => {
    const html = renderHtml(leak);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
    expect(html).not.toMatch(/<(link|iframe|img|object|embed)\b/i);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import/);
    expect(html).not.toContain('sourceMappingURL');
    // The libraries keep their licence headers, whose comments name their home pages; nothing else may.
    expect(html.replace(/\/\*[\s\S]*?\*\//g, '')).not.toMatch(/https?:\/\//);
    for (const lib of ['cytoscape', 'cytoscape-dagre', 'uplot'])
      expect(html).toContain(`<script data-library="${lib}">`);
  });

  it('embeds the report data as JSON', () => {
    expect(embedded(renderHtml(leak))).toEqual(leak);
    expect(embedded(renderHtml(uaf))).toEqual(uaf);
  });

  it('keeps text from the scenario inside its element', () => {
    const hostile = '</script><script>alert(1)</script><!-- </style>';
    const data = { ...leak, scenario: { ...leak.scenario, description: hostile, text: hostile } };
    const html = renderHtml(data);
    expect(embedded(html)).toEqual(data);
    expect(html).not.toContain('<script>alert(1)');
    expect(html.match(/<script\b/g)!.length).toBe(html.match(/<\/script>/g)!.length);
    expect(html).toContain('&#60;/script&#62;&#60;script&#62;alert(1)');
  });

  it('heads a leak with its cycle', () => {
    const html = renderHtml(leak);
    expect(html).toContain('<title>svmsim: Leak: seed-accel-mmap under v4.4</title>');
    expect(html).toContain('<span class="kind">leak</span>');
    expect(html).toContain('mm#0 → vma#1 → file#0 → sdev#0 → svm#0 → mm#0');
    expect(html).toContain('references still held (8)');
    expect(leak.highlight).toEqual(['mm#0', 'vma#1', 'file#0', 'sdev#0', 'svm#0']);
  });

  it('heads a use after free with the object and the actor', () => {
    const html = renderHtml(uaf);
    expect(html).toContain('Use after free: seed-accel-dma under e57e58bd-no-release-clear');
    expect(html).toContain('<span class="kind">use-after-free</span>');
    expect(html).toContain('<dt>object</dt><dd class="ids">page#4</dd>');
    expect(html).toContain('<dt>by</dt><dd class="ids">accel0</dd>');
    expect(uaf.highlight).toEqual(['page#4']);
  });

  it('shows the check table when the data has one', () => {
    expect(renderHtml(leak)).not.toContain('class="results"');
    const row = {
      scenario: 'seed-accel-mmap',
      policy: 'v4.4',
      verdict: 'violation',
      violation: 'leak',
      trace: 7,
      states: 14,
      transitions: 18,
      seconds: 0.01,
    };
    const html = renderHtml({
      ...leak,
      results: [
        row,
        { ...row, policy: 'e57e58bd', verdict: 'verified', violation: '-', trace: 0, states: 1234 },
      ],
    });
    expect(html).toContain('<tr class="violation"><td>seed-accel-mmap</td><td>v4.4</td><td>violation</td>');
    expect(html).toContain('<td class="n">1,234</td>');
  });
});
