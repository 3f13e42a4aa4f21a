// The ECG view: a canvas over the record at a calibrated paper speed times a
// zoom factor, animated towards its target view with requestAnimationFrame;
// wheel/drag/click/hover handling and the beat tooltip.

import type { EcgRecord } from './record';
import type { Beat } from './types';
import { CLASSES, CLASS_NAMES } from './types';
import { AXIS_H, PX_PER_MM, STRIP_H, drawBeats, drawEpisodes, drawGrid, drawLeads, type Geometry } from './render';
import { clock } from './dom';

export const MAX_ZOOM = 8;

export class EcgViewer {
  rec: EcgRecord | null = null;
  speed = 25; // mm/s
  gain = 10; // mm/mV
  selected: Beat | null = null;
  /** Called after every drawn frame whose view moved, and when the view settles. */
  onView: () => void = () => {};
  onSelect: (b: Beat | null) => void = () => {};

  private start = 0; // seconds at the left edge
  private dur = 10; // seconds across the width
  private target = { start: 0, dur: 10 };
  private width = 800;
  private frame = 0;
  private pendingReport = false;
  private dragging: { x: number; start: number; moved: boolean } | null = null;
  private readonly ctx: CanvasRenderingContext2D;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly tooltip: HTMLElement,
  ) {
    this.ctx = canvas.getContext('2d')!;
    new ResizeObserver(() => this.resize()).observe(canvas.parentElement!);
    canvas.addEventListener('wheel', (e) => this.wheel(e), { passive: false });
    canvas.addEventListener('pointerdown', (e) => this.pointerDown(e));
    canvas.addEventListener('pointermove', (e) => this.pointerMove(e));
    canvas.addEventListener('pointerup', (e) => this.pointerUp(e));
    canvas.addEventListener('pointerleave', () => (this.tooltip.hidden = true));
    this.resize();
  }

  /** CSS px per second at zoom 1 (the paper speed). */
  get paperPps(): number {
    return this.speed * PX_PER_MM;
  }
  get pps(): number {
    return this.width / this.dur;
  }
  get zoom(): number {
    return this.pps / this.paperPps;
  }
  get view(): { start: number; end: number; dur: number; zoom: number; settled: boolean } {
    const settled = this.target.start === this.start && this.target.dur === this.dur;
    return { start: this.start, end: this.start + this.dur, dur: this.dur, zoom: this.zoom, settled };
  }
  get targetCentre(): number {
    return this.target.start + this.target.dur / 2;
  }

  setRecord(rec: EcgRecord | null): void {
    this.rec = rec;
    this.selected = null;
    this.dur = this.width / this.paperPps;
    this.start = 0;
    this.target = { start: 0, dur: this.dur };
    this.layout();
    this.invalidate(true);
  }

  /** Paper speed or gain changed: the zoom factor and the centre stay. */
  setScale(speed: number, gain: number): void {
    const zoom = this.zoom;
    const c = this.targetCentre;
    this.speed = speed;
    this.gain = gain;
    this.dur = this.width / (zoom * this.paperPps);
    this.start = c - this.dur / 2;
    this.target = this.clamp(this.start, this.dur);
    this.start = this.target.start;
    this.dur = this.target.dur;
    this.layout();
    this.invalidate(true);
  }

  /** Zoom by a factor about a point of the canvas (CSS px; default the centre). */
  zoomBy(factor: number, anchorX = this.width / 2): void {
    const f = anchorX / this.width;
    const anchorT = this.target.start + f * this.target.dur;
    const dur = this.target.dur / factor;
    this.animateTo(anchorT - f * dur, dur);
  }
  setZoom(zoom: number): void {
    const dur = this.width / (zoom * this.paperPps);
    this.animateTo(this.targetCentre - dur / 2, dur);
  }
  fitAll(): void {
    if (this.rec) this.animateTo(0, this.rec.duration);
  }
  panBy(fraction: number): void {
    this.animateTo(this.target.start + fraction * this.target.dur, this.target.dur);
  }
  /** Centre the view on time t (seconds), keeping the zoom; or show [t0, t1] if given. */
  centreOn(t: number, span?: [number, number]): void {
    let dur = this.target.dur;
    if (span && span[1] - span[0] > 0.8 * dur) {
      this.animateTo(span[0] - 0.1 * dur, dur);
      return;
    }
    this.animateTo(t - dur / 2, dur);
  }
  select(b: Beat | null): void {
    this.selected = b;
    this.onSelect(b);
    this.invalidate();
  }

  /** Redraw on the next frame (and report the view when asked). */
  invalidate(report = false): void {
    if (report) this.pendingReport = true;
    if (!this.frame) this.frame = requestAnimationFrame(() => this.tick());
  }
  private clamp(start: number, dur: number): { start: number; dur: number } {
    const total = this.rec ? this.rec.duration : dur;
    const minDur = this.width / (MAX_ZOOM * this.paperPps);
    const maxDur = Math.max(total, this.width / this.paperPps);
    dur = Math.min(maxDur, Math.max(minDur, dur));
    start = Math.min(Math.max(0, total - dur), Math.max(0, start));
    return { start, dur };
  }

  private animateTo(start: number, dur: number): void {
    this.target = this.clamp(start, dur);
    this.invalidate(true);
    this.onView(); // at once, so that the view reads unsettled until it arrives
  }

  private step(): void {
    const { start: ta, dur: td } = this.target;
    const a = this.start;
    const d = this.dur;
    if (Math.abs(ta - a) < 1e-4 * td && Math.abs(td / d - 1) < 1e-3) {
      this.start = ta;
      this.dur = td;
      return;
    }
    const k = 0.3;
    if (Math.abs(td / d - 1) < 1e-6) {
      this.start = a + (ta - a) * k;
      return;
    }
    // The affine map from [a, a+d] to [ta, ta+td] has a fixed point p: keep it
    // where it is on screen while the duration moves geometrically.
    const p = (a * td - ta * d) / (td - d);
    const f = (p - a) / d;
    const nd = Math.exp(Math.log(d) + (Math.log(td) - Math.log(d)) * k);
    this.dur = nd;
    this.start = p - f * nd;
  }

  private tick(): void {
    this.frame = 0;
    const before = this.view.settled;
    this.step();
    this.draw();
    const now = this.view.settled;
    if (!now) this.frame = requestAnimationFrame(() => this.tick());
    if (this.pendingReport || !before || !now) {
      this.pendingReport = false;
      this.onView();
    }
  }

  private get laneHeight(): number {
    return Math.max(25, 4 * this.gain) * PX_PER_MM;
  }

  private layout(): void {
    const lanes = Math.max(1, this.rec?.leads.length ?? 1);
    const h = STRIP_H + lanes * this.laneHeight + AXIS_H;
    this.canvas.style.height = `${Math.round(h)}px`;
    this.resize();
  }

  private resize(): void {
    const w = Math.max(200, this.canvas.parentElement!.clientWidth);
    const zoom = this.zoom;
    const c = this.start + this.dur / 2;
    this.width = w;
    const dpr = window.devicePixelRatio || 1;
    const h = parseFloat(this.canvas.style.height) || 300;
    this.canvas.width = Math.round(w * dpr);
    this.canvas.height = Math.round(h * dpr);
    this.canvas.style.width = `${w}px`;
    if (Number.isFinite(zoom) && zoom > 0) {
      this.dur = w / (zoom * this.paperPps);
      this.target = this.clamp(c - this.dur / 2, this.dur);
      this.start = this.target.start;
      this.dur = this.target.dur;
    }
    this.invalidate(true);
  }

  private geometry(): Geometry {
    const lanes = Math.max(1, this.rec?.leads.length ?? 1);
    return {
      width: this.width,
      height: parseFloat(this.canvas.style.height) || 300,
      start: this.start,
      pps: this.pps,
      speed: this.speed,
      pxPerMv: this.gain * PX_PER_MM,
      laneHeight: this.laneHeight,
      lanes,
    };
  }

  private draw(): void {
    const dpr = window.devicePixelRatio || 1;
    const ctx = this.ctx;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const g = this.geometry();
    drawGrid(ctx, g);
    if (!this.rec) return;
    drawEpisodes(ctx, g, this.rec);
    drawLeads(ctx, g, this.rec, dpr);
    drawBeats(ctx, g, this.rec, this.selected);
  }

  /** Time (s) at a CSS x of the canvas. */
  timeAt(x: number): number {
    return this.start + x / this.pps;
  }
  /** CSS x of time t (s). */
  xOf(t: number): number {
    return (t - this.start) * this.pps;
  }

  beatAt(x: number): Beat | null {
    if (!this.rec) return null;
    const s = this.timeAt(x) * this.rec.fs;
    return this.rec.nearestBeat(s, (8 / this.pps) * this.rec.fs);
  }

  private wheel(e: WheelEvent): void {
    if (!this.rec) return;
    e.preventDefault();
    const x = e.offsetX;
    if (Math.abs(e.deltaX) > Math.abs(e.deltaY) || e.shiftKey) {
      const dx = e.shiftKey && !e.deltaX ? e.deltaY : e.deltaX;
      this.animateTo(this.target.start + dx / this.pps, this.target.dur);
      return;
    }
    const unit = e.deltaMode === 1 ? 33 : e.deltaMode === 2 ? 400 : 1;
    this.zoomBy(Math.exp((-e.deltaY * unit) / 300), x);
  }

  private pointerDown(e: PointerEvent): void {
    if (!this.rec || e.button !== 0) return;
    this.canvas.setPointerCapture(e.pointerId);
    this.dragging = { x: e.offsetX, start: this.start, moved: false };
  }

  private pointerMove(e: PointerEvent): void {
    const d = this.dragging;
    if (d) {
      const dx = e.offsetX - d.x;
      if (Math.abs(dx) > 3) d.moved = true;
      if (d.moved) {
        this.target = this.clamp(d.start - dx / this.pps, this.target.dur);
        this.start = this.target.start;
        this.dur = this.target.dur;
        this.invalidate(true);
        this.tooltip.hidden = true;
        return;
      }
    }
    this.hover(e.offsetX, e.offsetY);
  }

  private pointerUp(e: PointerEvent): void {
    const d = this.dragging;
    this.dragging = null;
    if (d && !d.moved) this.select(this.beatAt(e.offsetX));
  }

  private hover(x: number, y: number): void {
    const b = this.beatAt(x);
    const tip = this.tooltip;
    if (!b || !this.rec) {
      tip.hidden = true;
      return;
    }
    tip.replaceChildren();
    const head = document.createElement('div');
    head.className = 'tip-head';
    head.textContent = `${b.cls} · ${CLASS_NAMES[b.cls]}${b.cls !== b.original ? ` (was ${b.original})` : ''}`;
    const when = document.createElement('div');
    when.textContent = `${clock(b.time, 3)} · sample ${b.sample}`;
    tip.append(head, when);
    CLASSES.forEach((c, i) => {
      const p = b.proba ? b.proba[i] : NaN;
      const row = document.createElement('div');
      row.className = 'tip-row';
      row.dataset.class = c;
      row.innerHTML = `<span>${c}</span><span class="bar"><i style="width:${Number.isFinite(p) ? (p * 100).toFixed(1) : 0}%"></i></span><span>${Number.isFinite(p) ? p.toFixed(3) : '–'}</span>`;
      tip.append(row);
    });
    tip.dataset.sample = String(b.sample);
    tip.dataset.class = b.cls;
    tip.hidden = false;
    const left = Math.min(x + 14, this.width - tip.offsetWidth - 4);
    tip.style.left = `${Math.max(0, left)}px`;
    tip.style.top = `${y + 14}px`;
  }
}
