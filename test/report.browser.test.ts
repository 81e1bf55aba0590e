/**
 * The HTML report in a real browser: Debian's Chromium opens the seed leak's report from file://,
 * and the test reads the page as a reader would: the lanes, the chart, the graph with the cycle
 * highlighted, stepping with the mouse and the keyboard. It leaves a screenshot in test-artifacts/.
 * Needs /usr/bin/chromium (apt-get install chromium); SVMSIM_SKIP_BROWSER=1 skips it.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explore } from '../src/check/index.ts';
import { findPolicy } from '../src/drivers/iommu/intel/policies/index.ts';
import { describeViolation } from '../src/report/describe.ts';
import { renderHtml } from '../src/report/html/render.ts';
import { type ReportData, reportData } from '../src/report/snapshot.ts';
import { traceSteps } from '../src/report/text.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { SvmSystem } from '../src/system/system.ts';

const chromiumPath = '/usr/bin/chromium';
const screenshot = fileURLToPath(new URL('../test-artifacts/report-seed-leak.png', import.meta.url));

async function seedLeak(): Promise<ReportData> {
  const sys = new SvmSystem(loadScenario('seed-accel-mmap'), findPolicy('v4.4')!);
  const r = await explore(sys, {});
  const { final } = traceSteps(sys, r.violation!.trace);
  return reportData(
    sys,
    'check',
    r.violation!.trace,
    describeViolation(sys, final, r.violation!.code),
    '0.1.0',
  );
}

/** What the page exposes on window.svmsimReport, as far as these tests read it. */
interface ReportWindow {
  svmsimReport: {
    selected(): number;
    cy: {
      nodes(sel?: string): { length: number; map<T>(f: (n: { id(): string }) => T): T[] };
      edges(sel: string): { length: number };
    };
    charts: unknown[];
  };
}

describe.skipIf(process.env.SVMSIM_SKIP_BROWSER === '1')('the HTML report in Chromium', () => {
  let dir: string;
  let context: BrowserContext;
  let page: Page;
  let data: ReportData;
  let url: string;
  const errors: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    if (!existsSync(chromiumPath))
      throw new Error(
        `${chromiumPath} not found: the browser test needs Debian's Chromium. Install it with \`apt-get install chromium\`, or set SVMSIM_SKIP_BROWSER=1 to skip this test.`,
      );
    dir = mkdtempSync(join(tmpdir(), 'svmsim-report-'));
    data = await seedLeak();
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtml(data));
    url = pathToFileURL(file).href;
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: chromiumPath,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1440, height: 1000 },
    });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(url);
    await page.waitForFunction(() => 'svmsimReport' in window);
  });

  afterAll(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const selected = () => page.evaluate(() => (window as unknown as ReportWindow).svmsimReport.selected());
  const diffText = () => page.locator('#step-detail').textContent();
  const selectedMark = async () => {
    const mark = page.locator('.mark.selected');
    return { step: Number(await mark.getAttribute('data-step')), x: (await mark.boundingBox())!.x };
  };

  it('opens on the last step, with one lane per actor and a mark per step in its actor lane', async () => {
    expect(await selected()).toBe(data.steps.length - 1);
    expect(await page.locator('.lane-name').allTextContents()).toEqual(
      data.actors.map((a) => `${a.kind}${a.name}`),
    );
    const rows = await page
      .locator('.mark')
      .evaluateAll((marks) => marks.map((m) => Number((m as HTMLElement).style.gridRow.split(' ')[0])));
    expect(rows).toEqual(data.steps.map((s) => s.actor + 1));
    expect(await page.locator('#step-list li').count()).toBe(data.steps.length);
  });

  it('draws the reference-count chart and the reference graph with the cycle highlighted', async () => {
    expect(await page.locator('#chart .strip canvas').count()).toBeGreaterThan(0);
    expect(await page.locator('#chart .strip').first().getAttribute('data-id')).toBe('mm#0');
    expect(await page.locator('#graph canvas').count()).toBeGreaterThan(0);
    const graph = await page.evaluate(() => {
      const { cy } = (window as unknown as ReportWindow).svmsimReport;
      return {
        nodes: cy.nodes().length,
        highlighted: cy.nodes('.hl').map((n) => n.id()),
        cycleEdges: cy.edges('.hl:visible').length,
      };
    });
    expect(graph.nodes).toBeGreaterThanOrEqual(data.highlight.length);
    expect(graph.highlighted.sort()).toEqual([...data.violation!.cycle!].sort());
    expect(graph.cycleEdges).toBe(data.violation!.cycle!.length);
    const cards = await page
      .locator('#state .obj.hl')
      .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.id));
    expect(cards.sort()).toEqual([...data.highlight].sort());
  });

  it('follows a click on a mark, a click on a step and the arrow keys', async () => {
    const last = await selectedMark();
    await page.locator('.mark[data-step="0"]').click();
    expect(await selected()).toBe(0);
    const first = await selectedMark();
    expect(first.step).toBe(0);
    expect(first.x).toBeLessThan(last.x);
    const atFirst = await diffText();
    expect(atFirst).toContain('open(/dev/accel0)');
    expect(atFirst).toContain('f_count');

    await page.keyboard.press('ArrowRight');
    expect(await selected()).toBe(1);
    expect((await selectedMark()).x).toBeGreaterThan(first.x);
    const atSecond = await diffText();
    expect(atSecond).not.toBe(atFirst);
    expect(atSecond).toContain('intel_svm_bind_mm');

    await page.locator('#step-list li[data-step="3"]').click();
    expect(await selected()).toBe(3);
    expect(await page.locator('#step-list li.selected .num').textContent()).toBe('4');
    expect(await diffText()).toContain('do_exit');

    await page.keyboard.press('ArrowUp');
    expect(await selected()).toBe(2);
    await page.keyboard.press('End');
    expect(await selected()).toBe(data.steps.length - 1);
    expect(page.url()).toBe(`${url}#step-${data.steps.length}`);
  });

  /** Opens another report in the same browser, at `width` pixels; returns the page and its errors. */
  async function open(d: ReportData, name: string, width = 1440) {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, renderHtml(d));
    const p = await context.newPage();
    const errs: string[] = [];
    p.on('pageerror', (e) => errs.push(e.message));
    p.on('console', (m) => {
      if (m.type() === 'error') errs.push(m.text());
    });
    await p.setViewportSize({ width, height: 900 });
    await p.goto(pathToFileURL(file).href);
    await p.waitForFunction(() => 'svmsimReport' in window);
    return { p, errs };
  }

  it('keeps the selected step in view in the lanes of a long trace, right of the actor names', async () => {
    const sys = new SvmSystem(loadScenario('seed-accel-dma'), findPolicy('e57e58bd-no-release-clear')!);
    const r = await explore(sys, {});
    const trace = r.violation!.trace;
    expect(trace.length).toBeGreaterThanOrEqual(23);
    const v = describeViolation(sys, traceSteps(sys, trace).final, r.violation!.code);
    const { p, errs } = await open(reportData(sys, 'check', trace, v, '0.1.0'), 'long', 700);
    const inView = async () => {
      const lanes = (await p.locator('#lanes').boundingBox())!;
      const names = (await p.locator('.lane-name').first().boundingBox())!;
      const mark = (await p.locator('.mark.selected').boundingBox())!;
      // By its centre: the selected mark is drawn a little larger than its grid cell.
      const centre = mark.x + mark.width / 2;
      return centre > names.x + names.width && centre < lanes.x + lanes.width;
    };
    expect(await inView()).toBe(true);
    await p.keyboard.press('Home');
    expect(await inView()).toBe(true);
    for (let i = 0; i < 15; i++) await p.keyboard.press('ArrowRight');
    expect(await inView()).toBe(true);
    await p.keyboard.press('End');
    expect(await inView()).toBe(true);
    expect(errs).toEqual([]);
    await p.close();
  });

  it('says verified over N states, or incomplete and why, and works without a counterexample', async () => {
    const sys = new SvmSystem(loadScenario('seed-gfx'), findPolicy('e57e58bd')!);
    const base = reportData(sys, 'check', [], null, '0.1.0');
    const verified = await open({ ...base, outcome: { verdict: 'verified', states: 1234 } }, 'verified');
    expect(await verified.p.locator('header').textContent()).toContain('Verified over 1,234 states');
    for (const key of ['ArrowRight', 'ArrowLeft', 'End', 'Home']) await verified.p.keyboard.press(key);
    expect(verified.errs).toEqual([]);
    await verified.p.close();
    const stopped = { verdict: 'incomplete' as const, states: 99, stoppedBy: 'max-states' };
    const incomplete = await open({ ...base, outcome: stopped }, 'incomplete');
    const header = await incomplete.p.locator('header').textContent();
    expect(header).toContain('Incomplete: 99 states, stopped by max-states');
    expect(header).not.toContain('No violation');
    expect(incomplete.errs).toEqual([]);
    await incomplete.p.close();
  });

  it('loads nothing and logs no error, and leaves a screenshot', async () => {
    mkdirSync(join(screenshot, '..'), { recursive: true });
    await page.mouse.move(0, 0);
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(existsSync(screenshot)).toBe(true);
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
  });
});
