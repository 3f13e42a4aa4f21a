// The overview strip: the whole record's heart-rate trend, ectopic beats and
// rhythm episodes, with the current view as a box. Click or drag to jump.

import type { EcgRecord } from './record';
import { CLASS_COLORS } from './types';
import { EPISODE_COLORS, niceStep } from './render';
import { clock } from './dom';

const H = 84;
const PLOT_TOP = 6;
const PLOT_BOTTOM = 58; // heart-rate plot; beat ticks and episodes below

export class Overview {
  private rec: EcgRecord | null = null;
  private trend: { t: number; bpm: number }[] = [];
  private view = { start: 0, end: 1 };
  private readonly ctx: CanvasRenderingContext2D;
  private width = 800;
  private dragging = false;
  private layer: HTMLCanvasElement | null = null;
  private layerRec: EcgRecord | null = null;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly onJump: (t: number) => void,
  ) {
    this.ctx = canvas.getContext('2d')!;
    new ResizeObserver(() => this.resize()).observe(canvas.parentElement!);
    canvas.addEventListener('pointerdown', (e) => {
      this.dragging = true;
      canvas.setPointerCapture(e.pointerId);
      this.jump(e.offsetX);
    });
    canvas.addEventListener('pointermove', (e) => this.dragging && this.jump(e.offsetX));
    canvas.addEventListener('pointerup', () => (this.dragging = false));
    this.resize();
  }

  setRecord(rec: EcgRecord | null): void {
    this.rec = rec;
    this.trend = rec ? heartRateTrend(rec) : [];
    this.draw();
  }

  /** Beats changed (relabelled): draw the record's layer again. */
  refresh(): void {
    this.layer = null;
    this.draw();
  }

  setView(start: number, end: number): void {
    this.view = { start, end };
    this.draw();
  }

  private jump(x: number): void {
    if (!this.rec) return;
    this.onJump(Math.max(0, Math.min(1, x / this.width)) * this.rec.duration);
  }

  private resize(): void {
    this.width = Math.max(200, this.canvas.parentElement!.clientWidth);
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(this.width * dpr);
    this.canvas.height = Math.round(H * dpr);
    this.canvas.style.width = `${this.width}px`;
    this.canvas.style.height = `${H}px`;
    this.draw();
  }

  /** The view box over the record's layer, drawn once per record and size. */
  draw(): void {
    const ctx = this.ctx;
    const dpr = window.devicePixelRatio || 1;
    if (!this.layer || this.layer.width !== this.canvas.width || this.layerRec !== this.rec) {
      this.layer = document.createElement('canvas');
      this.layer.width = this.canvas.width;
      this.layer.height = this.canvas.height;
      this.layerRec = this.rec;
      const lctx = this.layer.getContext('2d')!;
      lctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      this.drawRecord(lctx);
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.layer, 0, 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const rec = this.rec;
    if (!rec) return;
    const xs = this.width / rec.duration;
    const x0 = this.view.start * xs;
    const w = Math.max(3, (this.view.end - this.view.start) * xs);
    ctx.fillStyle = 'rgba(25, 118, 210, 0.14)';
    ctx.fillRect(x0, 0, w, H);
    ctx.strokeStyle = '#1976d2';
    ctx.lineWidth = 1.5;
    ctx.strokeRect(x0 + 0.75, 0.75, w - 1.5, H - 1.5);
    ctx.lineWidth = 1;
  }

  private drawRecord(ctx: CanvasRenderingContext2D): void {
    ctx.fillStyle = '#fbfbfd';
    ctx.fillRect(0, 0, this.width, H);
    const rec = this.rec;
    if (!rec) return;
    const xs = this.width / rec.duration;
    // Heart rate, on a scale that holds the trend.
    const bpms = this.trend.map((p) => p.bpm);
    const lo = Math.max(0, Math.floor((Math.min(...bpms, 60) - 10) / 10) * 10);
    const hi = Math.ceil((Math.max(...bpms, 100) + 10) / 10) * 10;
    const y = (bpm: number) => PLOT_BOTTOM - ((bpm - lo) / (hi - lo)) * (PLOT_BOTTOM - PLOT_TOP);
    ctx.strokeStyle = '#e3e3ea';
    ctx.fillStyle = '#888';
    ctx.font = '10px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.beginPath();
    for (let b = lo; b <= hi; b += hi - lo > 80 ? 40 : 20) {
      ctx.moveTo(0, Math.round(y(b)) + 0.5);
      ctx.lineTo(this.width, Math.round(y(b)) + 0.5);
    }
    ctx.stroke();
    for (let b = lo; b <= hi; b += hi - lo > 80 ? 40 : 20) ctx.fillText(`${b}`, 2, y(b));
    const step = niceStep(xs, 110);
    ctx.textBaseline = 'bottom';
    for (let k = 1; k * step < rec.duration; k++) ctx.fillText(clock(k * step, 0), k * step * xs + 2, H - 1);
    ctx.strokeStyle = '#d81b60';
    ctx.lineWidth = 1.25;
    ctx.beginPath();
    let pen = false;
    let last = -Infinity;
    for (const p of this.trend) {
      if (p.t - last > 90) pen = false; // no line across gaps
      const x = p.t * xs;
      if (pen) ctx.lineTo(x, y(p.bpm));
      else ctx.moveTo(x, y(p.bpm));
      pen = true;
      last = p.t;
    }
    ctx.stroke();
    ctx.lineWidth = 1;
    // Ectopic beats and episodes.
    for (const b of rec.beats) {
      if (b.cls === 'N') continue;
      ctx.fillStyle = CLASS_COLORS[b.cls];
      ctx.fillRect(Math.floor(b.time * xs), PLOT_BOTTOM + 3, 1, 8);
    }
    for (const e of rec.episodes) {
      const color = EPISODE_COLORS[e.type];
      if (!color) continue;
      ctx.fillStyle = color;
      ctx.fillRect((e.start / rec.fs) * xs, PLOT_BOTTOM + 12, Math.max(2, ((e.end - e.start) / rec.fs) * xs), 3);
    }
  }
}

/** Heart rate over the record: median of 60/RR per 10 s bin, else the summary's trend. */
export function heartRateTrend(rec: EcgRecord): { t: number; bpm: number }[] {
  const bin = 10;
  const bins = new Map<number, number[]>();
  for (let i = 1; i < rec.beats.length; i++) {
    const rr = rec.beats[i].time - rec.beats[i - 1].time;
    if (rr < 0.24 || rr > 3) continue;
    const k = Math.floor(rec.beats[i].time / bin);
    let list = bins.get(k);
    if (!list) bins.set(k, (list = []));
    list.push(60 / rr);
  }
  const out = [...bins.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([k, v]) => {
      v.sort((a, b) => a - b);
      return { t: (k + 0.5) * bin, bpm: v[v.length >> 1] };
    });
  return out.length ? out : summaryTrend(rec.summary);
}

/** summary.heart_rate.trend as [{minute, bpm}] or {minute_s, bpm: []}. */
function summaryTrend(summary: Record<string, unknown>): { t: number; bpm: number }[] {
  const hr = summary.heart_rate as { trend?: unknown } | undefined;
  const trend = hr?.trend;
  if (Array.isArray(trend)) {
    return trend
      .filter((p): p is { minute: number; bpm: number } => typeof p?.bpm === 'number')
      .map((p) => ({ t: (p.minute + 0.5) * 60, bpm: p.bpm }));
  }
  if (trend && typeof trend === 'object' && Array.isArray((trend as { bpm?: unknown }).bpm)) {
    const t = trend as { bpm: (number | null)[]; minute_s?: number };
    const step = t.minute_s ?? 60;
    return t.bpm.flatMap((bpm, i) => (typeof bpm === 'number' ? [{ t: (i + 0.5) * step, bpm }] : []));
  }
  return [];
}
