// SVG charts of the Runs view: training curves of several runs on one set of
// axes, and the final metrics as grouped bars. Plain SVG elements, so that
// each line and bar can be found (and tested) by its data attributes.

import { h } from './dom';

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  ...children: (Node | string)[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

/** A run as the charts draw it: its id, label (short id) and colour. */
export interface ChartRun {
  id: string;
  label: string;
  color: string;
}

export interface Series {
  run: ChartRun;
  points: [number, number][];
}

/** Curves of more points than this are drawn with every k-th point (and the last). */
export const MAX_DRAWN_POINTS = 2000;

/** Round tick positions (1, 2 or 5 × 10^k apart) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): { ticks: number[]; step: number } {
  if (!(hi > lo)) return { ticks: [lo], step: 1 };
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return { ticks, step };
}

function tickLabel(v: number, step: number): string {
  const decimals = Math.max(0, Math.min(8, -Math.floor(Math.log10(step) + 1e-9)));
  if (Math.abs(v) >= 1e5) return v.toExponential(1);
  return v.toFixed(decimals);
}

/** A metric value for people: 4 significant digits, no exponent for ordinary sizes. */
export function fmtValue(x: number | undefined): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '—';
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1000) return x.toFixed(1);
  if (a < 1e-3) return x.toExponential(2);
  return String(Number(x.toPrecision(4)));
}

function legend(runs: ChartRun[]): HTMLElement {
  return h(
    'div',
    { class: 'chart-legend' },
    ...runs.map((r) => h('span', { 'data-run': r.id }, h('i', { class: 'swatch', style: `background:${r.color}` }), r.label)),
  );
}

/** Every k-th point and the last one when there are more than MAX_DRAWN_POINTS. */
function drawnPoints(points: [number, number][]): [number, number][] {
  if (points.length <= MAX_DRAWN_POINTS) return points;
  const k = Math.ceil(points.length / MAX_DRAWN_POINTS);
  const out = points.filter((_, i) => i % k === 0);
  if ((points.length - 1) % k !== 0) out.push(points[points.length - 1]);
  return out;
}

/** Index of the point whose step is nearest to `step` (points ordered by step). */
function nearest(points: [number, number][], step: number): number {
  let lo = 0;
  let hi = points.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[mid][0] < step) lo = mid;
    else hi = mid;
  }
  return Math.abs(points[hi][0] - step) < Math.abs(points[lo][0] - step) ? hi : lo;
}

/**
 * One metric's curves, a line per run, on shared axes (x: step, y: value),
 * with ticks, a legend and a readout of the values under the pointer.
 */
export function curveChart(metric: string, series: Series[]): HTMLElement {
  const W = 420;
  const H = 250;
  const m = { l: 58, r: 14, t: 10, b: 36 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const all = series.flatMap((s) => s.points);
  let x0 = Math.min(...all.map((p) => p[0]));
  let x1 = Math.max(...all.map((p) => p[0]));
  if (x1 <= x0) [x0, x1] = [x0 - 1, x1 + 1];
  let y0 = Math.min(...all.map((p) => p[1]));
  let y1 = Math.max(...all.map((p) => p[1]));
  if (y1 <= y0) [y0, y1] = [y0 - (Math.abs(y0) * 0.05 || 1), y1 + (Math.abs(y1) * 0.05 || 1)];
  const pad = (y1 - y0) * 0.05;
  [y0, y1] = [y0 - pad, y1 + pad];
  const X = (v: number) => m.l + ((v - x0) / (x1 - x0)) * pw;
  const Y = (v: number) => m.t + ph - ((v - y0) / (y1 - y0)) * ph;

  const plot = svg('svg', {
    width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': `${metric} by step for ${series.map((s) => s.run.label).join(', ')}`,
  });
  const grid = svg('g', { class: 'grid' });
  const axes = svg('g', { class: 'axis' });
  const xt = niceTicks(x0, x1, 6);
  for (const t of xt.ticks) {
    grid.append(svg('line', { x1: X(t), x2: X(t), y1: m.t, y2: m.t + ph }));
    axes.append(svg('line', { x1: X(t), x2: X(t), y1: m.t + ph, y2: m.t + ph + 4 }));
    axes.append(svg('text', { x: X(t), y: m.t + ph + 16, 'text-anchor': 'middle' }, tickLabel(t, xt.step)));
  }
  const yt = niceTicks(y0, y1, 5);
  for (const t of yt.ticks) {
    grid.append(svg('line', { x1: m.l, x2: m.l + pw, y1: Y(t), y2: Y(t) }));
    axes.append(svg('line', { x1: m.l - 4, x2: m.l, y1: Y(t), y2: Y(t) }));
    axes.append(svg('text', { x: m.l - 7, y: Y(t) + 4, 'text-anchor': 'end' }, tickLabel(t, yt.step)));
  }
  axes.append(
    svg('rect', { class: 'frame', x: m.l, y: m.t, width: pw, height: ph }),
    svg('text', { class: 'axis-title', x: m.l + pw / 2, y: H - 4, 'text-anchor': 'middle' }, 'step'),
  );
  plot.append(grid, axes);
  for (const s of series) {
    const pts = drawnPoints(s.points);
    const line = svg('polyline', {
      'data-run': s.run.id,
      'data-points': s.points.length,
      'data-drawn': pts.length,
      points: pts.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' '),
      fill: 'none',
      stroke: s.run.color,
      'stroke-width': 1.8,
      'stroke-linejoin': 'round',
    }, svg('title', {}, `${s.run.label}: ${s.points.length} points`));
    plot.append(line);
    // A single point makes no line: a dot shows it.
    if (s.points.length === 1) plot.append(svg('circle', { cx: X(s.points[0][0]), cy: Y(s.points[0][1]), r: 3, fill: s.run.color }));
  }
  const cursor = svg('line', { class: 'cursor', y1: m.t, y2: m.t + ph, visibility: 'hidden' });
  const dots = series.map((s) => svg('circle', { r: 3.5, fill: '#fff', stroke: s.run.color, 'stroke-width': 2, visibility: 'hidden' }));
  plot.append(cursor, ...dots);

  const readout = h('div', { class: 'chart-readout' }, '\u00a0');
  plot.addEventListener('mousemove', (e) => {
    const r = plot.getBoundingClientRect();
    const px = ((e.clientX - r.left) / r.width) * W;
    if (px < m.l || px > m.l + pw) return;
    const step = x0 + ((px - m.l) / pw) * (x1 - x0);
    const parts: string[] = [];
    let at = step;
    series.forEach((s, k) => {
      const p = s.points[nearest(s.points, step)];
      at = k === 0 ? p[0] : at;
      dots[k].setAttribute('cx', String(X(p[0])));
      dots[k].setAttribute('cy', String(Y(p[1])));
      dots[k].setAttribute('visibility', 'visible');
      parts.push(`${s.run.label} ${fmtValue(p[1])}${p[0] !== at ? ` (step ${p[0]})` : ''}`);
    });
    cursor.setAttribute('x1', String(X(at)));
    cursor.setAttribute('x2', String(X(at)));
    cursor.setAttribute('visibility', 'visible');
    readout.textContent = `step ${at}: ${parts.join(' · ')}`;
  });
  plot.addEventListener('mouseleave', () => {
    for (const el of [cursor, ...dots]) el.setAttribute('visibility', 'hidden');
    readout.textContent = '\u00a0';
  });

  const drawn = series.some((s) => s.points.length > MAX_DRAWN_POINTS);
  return h(
    'figure',
    { class: 'chart', 'data-testid': 'curve-chart', 'data-metric': metric, 'data-series': String(series.length) },
    h('figcaption', {}, h('b', {}, metric), drawn ? h('span', { class: 'note' }, ` (every k-th of over ${MAX_DRAWN_POINTS} points drawn)`) : ''),
    legend(series.map((s) => s.run)),
    plot,
    readout,
  );
}

/**
 * Final metrics as grouped horizontal bars: a group per metric, a bar per
 * run that has it. Each metric has its own scale, from 0 (metrics differ in
 * size: accuracies, losses, counts), and each bar is labelled with its value.
 */
export function finalsChart(metrics: string[], runs: ChartRun[], value: (run: string, metric: string) => number | undefined): SVGSVGElement {
  const labelW = 150;
  const barW = 300;
  const valueW = 70;
  const barH = 13;
  const gap = 2;
  const groupGap = 12;
  const W = labelW + barW + valueW;
  const groupH = runs.length * (barH + gap) - gap;
  const H = metrics.length * (groupH + groupGap) + 4;
  const chart = svg('svg', {
    width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': `Final values of ${metrics.join(', ')}`,
  });
  metrics.forEach((metric, g) => {
    const top = 2 + g * (groupH + groupGap);
    const vals = runs.map((r) => value(r.id, metric)).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    const lo = Math.min(0, ...vals);
    const hi = Math.max(0, ...vals);
    const span = hi - lo || 1;
    const X = (v: number) => labelW + ((v - lo) / span) * barW;
    const group = svg('g', { 'data-group': metric });
    group.append(
      svg('text', { class: 'bar-label', x: labelW - 8, y: top + groupH / 2 + 4, 'text-anchor': 'end' }, metric),
      svg('line', { class: 'baseline', x1: X(0), x2: X(0), y1: top - 2, y2: top + groupH + 2 }),
    );
    runs.forEach((r, k) => {
      const v = value(r.id, metric);
      if (typeof v !== 'number' || !Number.isFinite(v)) return;
      const y = top + k * (barH + gap);
      const a = Math.min(X(0), X(v));
      const w = Math.max(1, Math.abs(X(v) - X(0)));
      group.append(
        svg('rect', { x: a, y, width: w, height: barH, fill: r.color, 'data-metric': metric, 'data-run': r.id, 'data-value': String(v) },
          svg('title', {}, `${metric}, ${r.label}: ${fmtValue(v)}`)),
        svg('text', { class: 'bar-value', x: Math.max(X(0), X(v)) + 4, y: y + barH - 2 }, fmtValue(v)),
      );
    });
    chart.append(group);
  });
  return chart;
}
