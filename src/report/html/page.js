/*
 * svmsim report page. Reads the ReportData embedded in #svmsim-data and draws the swim lanes, the
 * step list, the selected step's changes and state, the reference counts over the trace (uPlot) and
 * the reference graph at the selected step (cytoscape, laid out once by dagre so that nodes keep
 * their place from step to step). window.svmsimReport exposes the selection and the two libraries'
 * instances, for tests and for the curious reader's console.
 */
(() => {
  const data = JSON.parse(document.getElementById('svmsim-data').textContent);
  const names = JSON.parse(document.getElementById('svmsim-names').textContent);
  const { steps, snapshots } = data;
  // A report without a counterexample (verified, incomplete) has no trace to draw: the header says it all.
  if (!steps.length) {
    window.svmsimReport = { data, select: () => {}, selected: () => -1 };
    return;
  }
  const highlight = new Set(data.highlight);

  // Okabe-Ito colours: told apart with every common colour-vision deficiency.
  const color = {
    selected: '#0072B2',
    field: {
      mm_users: '#0072B2',
      mm_count: '#E69F00',
      f_count: '#009E73',
      users: '#CC79A7',
      devs: '#000000',
    },
  };

  /** The reference counts charted, per object kind, as the snapshots name the fields. */
  const countFields = { mm: ['mm_users', 'mm_count'], file: ['f_count'], sdev: ['users'], svm: ['devs'] };

  let selected = 0;

  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props ?? {})) {
      if (k === 'class') e.className = v;
      else if (k === 'style') Object.assign(e.style, v);
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    e.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
    return e;
  }

  /** What a step did: the kernel function it was at, then its notes. */
  function what(step) {
    const parts = [];
    if (step.at) parts.push(el('code', { class: 'at' }, step.at));
    if (step.notes.length) parts.push(` ${step.notes.join(' → ')}`);
    if (!parts.length) parts.push(el('span', { class: 'quiet' }, 'no visible effect'));
    return parts;
  }
  const whatText = (step) => [step.at, ...step.notes].filter(Boolean).join(' → ');

  /** Changes folded by object, in the order the objects first changed. */
  function fold(changes) {
    const byObj = new Map();
    for (const c of changes) byObj.set(c.obj, [...(byObj.get(c.obj) ?? []), c]);
    return byObj;
  }

  // Swim lanes: a grid with one row per actor and one column per step.

  const lanes = document.getElementById('lanes');
  lanes.style.setProperty('--steps', steps.length);
  lanes.style.setProperty('--actors', data.actors.length);
  const band = el('div', { class: 'band', 'aria-hidden': 'true' });
  lanes.append(band);
  data.actors.forEach((a, row) => {
    lanes.append(
      el(
        'div',
        { class: 'lane-name', style: { gridRow: row + 1 } },
        el('span', { class: 'lane-kind' }, a.kind),
        a.name,
      ),
      el('div', { class: 'lane-track', style: { gridRow: row + 1 }, dataset: { actor: row } }),
    );
  });
  const marks = steps.map((s, i) =>
    el(
      'button',
      {
        type: 'button',
        class: i === steps.length - 1 && data.violation ? 'mark last' : 'mark',
        style: { gridRow: s.actor + 1, gridColumn: i + 2 },
        title: `step ${s.index}, ${s.actorName}: ${whatText(s)}`,
        dataset: { step: i },
        onclick: () => select(i),
      },
      String(s.index),
    ),
  );
  lanes.append(...marks);

  // The step list.

  const list = document.getElementById('step-list');
  const items = steps.map((s, i) =>
    el(
      'li',
      { dataset: { step: i }, onclick: () => select(i) },
      el('span', { class: 'num' }, String(s.index)),
      el('span', { class: 'actor' }, s.actorName),
      el('span', { class: 'what' }, what(s)),
    ),
  );
  list.append(...items);

  // The selected step: what it did and what it changed.

  function renderStep(i) {
    const s = steps[i];
    document.getElementById('step-title').textContent = `Step ${s.index} of ${steps.length}: ${s.actorName}`;
    const rows = [...fold(s.changes)].map(([obj, cs]) =>
      el(
        'tbody',
        { class: highlight.has(obj) ? 'hl' : '' },
        cs.map((c, n) =>
          el(
            'tr',
            null,
            n === 0 ? el('th', { rowspan: cs.length, scope: 'rowgroup' }, obj) : null,
            el('td', { class: 'field' }, c.field),
            el('td', { class: 'from' }, String(c.from)),
            el('td', { class: 'arrow' }, '→'),
            el('td', { class: 'to' }, String(c.to)),
          ),
        ),
      ),
    );
    document
      .getElementById('step-detail')
      .replaceChildren(
        el('p', { class: 'what' }, what(s)),
        rows.length
          ? el('table', { class: 'diff', 'aria-label': 'changes' }, rows)
          : el('p', { class: 'quiet' }, 'No field changed.'),
      );
  }

  // The full state after the selected step.

  function renderState(i) {
    const snap = snapshots[i + 1];
    const changed = new Set(steps[i].changes.map((c) => `${c.obj} ${c.field}`));
    document.getElementById('state-title').textContent = `State after step ${i + 1}`;
    const cards = snap.objects.map((o) => {
      const cls = [
        'obj',
        o.state,
        highlight.has(o.id) ? 'hl' : '',
        changed.has(`${o.id} state`) ? 'changed' : '',
      ];
      return el(
        'div',
        { class: cls.join(' '), dataset: { id: o.id } },
        el('h3', null, o.id, o.state === 'freed' ? el('span', { class: 'badge' }, 'freed') : null),
        el(
          'table',
          null,
          Object.entries(o.fields).map(([f, v]) =>
            el(
              'tr',
              { class: changed.has(`${o.id} ${f}`) ? 'changed' : '' },
              el('th', null, f),
              el('td', null, String(v)),
            ),
          ),
        ),
      );
    });
    const hw = snap.hardware;
    const hwRows = [
      ...hw.pasidTable.map((v, p) => ['PASID table', `[${p}]`, v]),
      ...hw.pasidCache.map((v, p) => ['PASID cache', `[${p}]`, v]),
      ...Object.entries(hw.iotlb).map(([k, v]) => ['IOTLB', k, v]),
      ...Object.entries(hw.deviceTlb).map(([k, v]) => ['device-TLB', k, v]),
    ];
    const hwTable = el(
      'table',
      { class: 'hardware' },
      el('caption', null, 'VT-d tables and caches'),
      hwRows.map(([table, key, v]) =>
        el(
          'tr',
          { class: highlight.has(v) ? 'hl' : '' },
          el('th', null, table),
          el('td', null, key),
          el('td', null, v),
        ),
      ),
      Object.keys(hw.iotlb).length + Object.keys(hw.deviceTlb).length
        ? null
        : el('tr', null, el('td', { colspan: 3, class: 'quiet' }, 'IOTLB and device-TLBs empty')),
    );
    document.getElementById('state').replaceChildren(el('div', { class: 'objects' }, cards, hwTable));
  }

  // Reference counts over the trace, one strip per object sharing the step axis: x is the state
  // index, 0 the initial state and i the state after step i.

  const strips = [];
  for (const snap of snapshots)
    for (const o of snap.objects)
      if (countFields[o.kind] && !strips.some((s) => s.id === o.id))
        strips.push({ id: o.id, fields: countFields[o.kind] });
  const countAt = (id, field) =>
    snapshots.map((snap) => snap.objects.find((o) => o.id === id)?.fields[field] ?? null);
  const counts = strips.map((strip) => strip.fields.map((f) => countAt(strip.id, f)));
  // One scale for every strip, so that equal heights are equal counts.
  const top = Math.max(1, ...counts.flat(2).filter((v) => v !== null)) + 0.5;

  function drawSelection(u) {
    const ctx = u.ctx;
    const from = u.valToPos(selected, 'x', true);
    const to = u.valToPos(selected + 1, 'x', true);
    ctx.save();
    ctx.fillStyle = 'rgba(0, 114, 178, 0.10)';
    ctx.fillRect(from, u.bbox.top, to - from, u.bbox.height);
    ctx.strokeStyle = color.selected;
    ctx.lineWidth = 2 * devicePixelRatio;
    ctx.beginPath();
    ctx.moveTo(to, u.bbox.top);
    ctx.lineTo(to, u.bbox.top + u.bbox.height);
    ctx.stroke();
    ctx.restore();
  }

  const chartBox = document.getElementById('chart');
  const legendWidth = 130;
  const stripHeight = (last) => (last ? 124 : 80);
  const integers = (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : ''));
  const charts = strips.map((strip, n) => {
    const last = n === strips.length - 1;
    const box = el('div', { class: 'strip', dataset: { id: strip.id } });
    chartBox.append(box);
    const u = new uPlot(
      {
        width: chartBox.clientWidth - legendWidth,
        height: stripHeight(last),
        scales: { x: { time: false }, y: { range: () => [0, top] } },
        axes: [
          last
            ? {
                label: 'after step (0: initial state)',
                size: 30,
                labelSize: 20,
                incrs: [1, 2, 5, 10],
                values: integers,
              }
            : { size: 6, ticks: { show: false }, values: (_u, ticks) => ticks.map(() => '') },
          { label: strip.id, labelSize: 18, size: 42, space: 14, incrs: [1, 2, 5, 10], values: integers },
        ],
        cursor: { drag: { x: false, y: false }, sync: { key: 'svmsim-steps' } },
        legend: { live: false },
        series: [
          {},
          ...strip.fields.map((f) => ({
            label: f,
            stroke: color.field[f],
            width: 2,
            dash: f === 'mm_count' ? [6, 4] : undefined,
            paths: uPlot.paths.stepped({ align: 1 }),
            points: { size: 5 },
          })),
        ],
        hooks: { draw: [drawSelection] },
      },
      [snapshots.map((_, i) => i), ...counts[n]],
      box,
    );
    u.over.addEventListener('click', () => {
      if (u.cursor.idx > 0) select(u.cursor.idx - 1);
    });
    return u;
  });
  window.addEventListener('resize', () =>
    charts.forEach((u, n) => {
      u.setSize({ width: chartBox.clientWidth - legendWidth, height: stripHeight(n === charts.length - 1) });
    }),
  );

  // The reference graph: every node and edge of the whole trace, laid out once; a step shows its own.

  const actorName = (id) => data.actors[Number(id.split('#')[1])]?.name ?? id;
  const holderNote = {
    notifier: (id) => `of svm#${id.split('#')[1]}`,
    actor: (id) => `${actorName(id)} (pin)`,
  };
  function nodeLabel(id, kind, o) {
    if (kind === 'cache') return id.replace(/ (?=PASID)/, '\n');
    if (!o) {
      const note = holderNote[id.split('#')[0]];
      return note ? `${id}\n${note(id)}` : id;
    }
    const f = o.fields;
    const lines = [id];
    if (kind === 'mm') lines.push(`mm_users ${f.mm_users}`, `mm_count ${f.mm_count}`);
    if (kind === 'file') lines.push(`f_count ${f.f_count}`);
    if (kind === 'sdev') lines.push(`users ${f.users}`);
    if (kind === 'svm') lines.push(`PASID ${f.pasid}  devs ${f.devs}`);
    if (kind === 'page') lines.push(names.pageKinds[f.kind] ?? `kind ${f.kind}`);
    if (o.state === 'freed') lines.push('freed');
    return lines.join('\n');
  }

  /** Hardware cache entries, one node each: a translation the IOMMU or a device keeps, without a reference. */
  function cacheEdges(snap) {
    const out = [];
    for (const [key, page] of Object.entries(snap.hardware.iotlb))
      out.push({ from: `IOTLB ${key}`, to: page });
    for (const [key, page] of Object.entries(snap.hardware.deviceTlb))
      out.push({ from: key.replace(' PASID', ' device-TLB PASID'), to: page });
    return out;
  }
  const refId = (r) => `${r.from}>${r.to}:${r.count}`;
  const cacheId = (c) => `${c.from}>${c.to}`;
  const cycle = data.violation?.cycle ?? [];
  const cyclePairs = new Set(cycle.map((id, n) => `${id}>${cycle[(n + 1) % cycle.length]}`));
  const isHighlightEdge = (from, to) =>
    cyclePairs.has(`${from}>${to}`) || (!cycle.length && highlight.has(to));

  const nodes = new Map();
  const edges = new Map();
  const addNode = (id, kind) => {
    if (!nodes.has(id)) nodes.set(id, { id, kind });
  };
  for (const snap of snapshots) {
    for (const o of snap.objects) addNode(o.id, o.kind);
    for (const r of snap.refs) {
      addNode(r.from, 'holder');
      addNode(r.to, 'holder');
      edges.set(refId(r), { id: refId(r), source: r.from, target: r.to, label: r.count, kind: 'ref' });
    }
    for (const c of cacheEdges(snap)) {
      addNode(c.from, 'cache');
      edges.set(cacheId(c), { id: cacheId(c), source: c.from, target: c.to, label: '', kind: 'cache' });
    }
  }
  const labelsAt = (snap) => {
    const byId = new Map(snap.objects.map((o) => [o.id, o]));
    return new Map([...nodes.values()].map((n) => [n.id, nodeLabel(n.id, n.kind, byId.get(n.id))]));
  };
  const labels = snapshots.map(labelsAt);
  const size = (id) => {
    const lines = labels.flatMap((l) => l.get(id).split('\n'));
    const rows = Math.max(...labels.map((l) => l.get(id).split('\n').length));
    return { w: Math.max(...lines.map((t) => t.length)) * 7.5 + 18, h: rows * 16 + 12 };
  };

  const cy = cytoscape({
    container: document.getElementById('graph'),
    elements: [
      ...[...nodes.values()].map((n) => ({
        data: { id: n.id, label: n.id, ...size(n.id) },
        classes: [
          n.kind === 'holder' || n.kind === 'cache' ? n.kind : 'object',
          highlight.has(n.id) ? 'hl' : '',
        ],
      })),
      ...[...edges.values()].map((e) => ({
        data: e,
        classes: [e.kind === 'cache' ? 'cache' : 'ref', isHighlightEdge(e.source, e.target) ? 'hl' : ''],
      })),
    ],
    style: document.getElementById('svmsim-graph-style').textContent,
    layout: { name: 'preset' },
    minZoom: 0.3,
    maxZoom: 3,
  });

  /**
   * Ranks top to bottom or left to right, whichever lets the whole trace's graph be drawn larger.
   * An edge against the ranks (the one that closes a cycle) is drawn as an arc around the others.
   */
  function layoutGraph() {
    const run = (rankDir) => {
      cy.layout({ name: 'dagre', rankDir, nodeSep: 24, rankSep: 42, edgeSep: 12, fit: false }).run();
      const bb = cy.elements().boundingBox();
      return Math.min(cy.width() / bb.w, cy.height() / bb.h);
    };
    const tb = run('TB');
    const lr = run('LR');
    const rankDir = tb < lr ? 'LR' : 'TB';
    if (rankDir === 'TB') run('TB');
    const axis = rankDir === 'LR' ? 'x' : 'y';
    for (const e of cy.edges()) {
      const [from, to] = [e.source().position(), e.target().position()];
      e.toggleClass('back', to[axis] < from[axis]);
      e.data('bend', 0.5 * Math.hypot(to.x - from.x, to.y - from.y));
    }
    cy.fit(undefined, 12);
  }
  layoutGraph();

  function renderGraph(i) {
    const snap = snapshots[i + 1];
    const prev = snapshots[i];
    const live = new Map(snap.objects.map((o) => [o.id, o]));
    const present = new Set([...snap.refs.map(refId), ...cacheEdges(snap).map(cacheId)]);
    const before = new Set([...prev.refs.map(refId), ...cacheEdges(prev).map(cacheId)]);
    const changed = new Set(steps[i].changes.map((c) => c.obj));
    for (const e of cy.edges('.cache'))
      if (present.has(e.id()) !== before.has(e.id())) changed.add(e.data('source'));
    const shown = new Set(snap.objects.map((o) => o.id));
    for (const e of cy.edges()) if (present.has(e.id())) shown.add(e.data('source')).add(e.data('target'));
    cy.batch(() => {
      for (const n of cy.nodes()) {
        n.data('label', labels[i + 1].get(n.id()));
        n.toggleClass('absent', !shown.has(n.id()));
        n.toggleClass('freed', live.get(n.id())?.state === 'freed');
        n.toggleClass('changed', changed.has(n.id()));
      }
      for (const e of cy.edges()) {
        e.toggleClass('absent', !present.has(e.id()));
        e.toggleClass('changed', present.has(e.id()) && !before.has(e.id()));
      }
    });
    document.getElementById('graph-caption').textContent = `held by → held, after step ${i + 1}`;
  }

  // Selection: every view follows it.

  function select(i) {
    selected = Math.max(0, Math.min(steps.length - 1, i));
    marks.forEach((m, n) => {
      m.classList.toggle('selected', n === selected);
      m.setAttribute('aria-pressed', String(n === selected));
    });
    band.style.gridColumn = String(selected + 2);
    // The lanes scroll sideways in a long trace: keep the selected mark in view, right of the
    // actor names (which stay put).
    const m = marks[selected];
    const names = lanes.querySelector('.lane-name').offsetWidth;
    if (m.offsetLeft - names < lanes.scrollLeft) lanes.scrollLeft = m.offsetLeft - names;
    else if (m.offsetLeft + m.offsetWidth > lanes.scrollLeft + lanes.clientWidth)
      lanes.scrollLeft = m.offsetLeft + m.offsetWidth - lanes.clientWidth;
    items.forEach((li, n) => {
      li.classList.toggle('selected', n === selected);
    });
    const li = items[selected];
    if (li.offsetTop < list.scrollTop) list.scrollTop = li.offsetTop;
    else if (li.offsetTop + li.offsetHeight > list.scrollTop + list.clientHeight)
      list.scrollTop = li.offsetTop + li.offsetHeight - list.clientHeight;
    renderStep(selected);
    renderState(selected);
    renderGraph(selected);
    for (const u of charts) u.redraw(false, false);
    history.replaceState(null, '', `#step-${selected + 1}`);
  }

  document.addEventListener('keydown', (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey || e.target.closest('input, textarea, select, summary')) return;
    const to = {
      ArrowRight: selected + 1,
      ArrowDown: selected + 1,
      ArrowLeft: selected - 1,
      ArrowUp: selected - 1,
      Home: 0,
      End: steps.length - 1,
    }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    select(to);
  });

  window.svmsimReport = { data, cy, charts, select, selected: () => selected };
  const linked = /^#step-(\d+)$/.exec(location.hash);
  if (steps.length) select(linked ? Number(linked[1]) - 1 : steps.length - 1);
})();
